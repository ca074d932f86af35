using Payments.LocalHost;

var app = LocalHostApp.Create(args);
await LocalHostApp.PrepareStorageAsync(app, CancellationToken.None);
await app.RunAsync();
