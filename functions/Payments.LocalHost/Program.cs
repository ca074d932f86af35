using Payments.Core.Security;
using Payments.LocalHost;

// `keygen …`: make an integrator key pair and print the public key to send to Google.
if (args.Length > 0 && args[0] == "keygen") return KeyTool.Run(args[1..], Console.Out);

var app = LocalHostApp.Create(args);
await LocalHostApp.PrepareStorageAsync(app, CancellationToken.None);
await app.RunAsync();
return 0;
