Console.WriteLine("no scenarios yet");
