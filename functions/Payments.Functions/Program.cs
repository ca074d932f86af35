using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Payments.Core.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();          // ASP.NET Core integration: HttpRequest in, IActionResult out
builder.Services.AddPayments(builder.Configuration); // the same registration the local host calls
builder.Build().Run();
