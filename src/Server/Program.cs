using Privomega.Server;

var app = ServerHost.Build(args);
await app.RunAsync();
