using Microsoft.Extensions.Hosting;
using Payments.Functions;

FunctionsApp.CreateBuilder(args).Build().Run();
