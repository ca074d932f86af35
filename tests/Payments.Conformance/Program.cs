using Payments.Conformance;

// dotnet run -c Release --project tests/Payments.Conformance -- --base-url URL --account PIAID --security pgp|jwe|none --keys DIR
// Plays Google against the endpoint; see ConformanceOptions.Usage and README.md ("Conformance check").
return await ConformanceCommand.RunAsync(args, Console.Out);
