using Payments.Core.Security;
using Payments.LocalHost;
using Payments.LocalHost.Logging;

// `keygen …`: make an integrator key pair and print the public key to send to Google.
if (args.Length > 0 && args[0] == "keygen") return KeyTool.Run(args[1..], Console.Out);

WebApplication app;
try
{
    app = LocalHostApp.Create(args);
    await LocalHostApp.PrepareStorageAsync(app, CancellationToken.None);
    await app.StartAsync();
}
catch (Exception e) when (e is not OperationCanceledException)
{
    // A setting that is missing or wrong (or storage that never came up): the reason, on one line, for
    // the operator; no stack trace, since nothing is wrong with the code.
    await Console.Error.WriteLineAsync("Payments.LocalHost did not start: " + StartupFailure.Describe(e));
    return 1;
}
await app.WaitForShutdownAsync();
return 0;
