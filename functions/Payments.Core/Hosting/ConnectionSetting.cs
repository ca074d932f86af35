using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Core.Storage;

namespace Payments.Core.Hosting;

/// <summary>
/// How the Functions host finds a trigger's <c>Connection = "X"</c>: the setting <c>AzureWebJobsX</c>
/// first (a value, or its <c>__serviceUri</c>-style children), then <c>X</c>. A connection named
/// "Storage" would therefore read the host's own AzureWebJobsStorage; the app's is "PaymentsStorage".
/// The app's own storage clients resolve their connection by the same rule, so the queue triggers
/// always listen where the app writes.
/// </summary>
public static class ConnectionSetting
{
    public const string Prefix = "AzureWebJobs";

    /// <summary>The name of the setting the host reads for <paramref name="connection"/>.</summary>
    public static string Resolve(IConfiguration configuration, string connection)
    {
        var prefixed = connection.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? connection : Prefix + connection;
        return IsSet(configuration.GetSection(prefixed)) ? prefixed : connection;
    }

    /// <summary>Binds <see cref="StorageConnectionOptions"/> to the setting the host reads for the app's
    /// connection (its value is the connection string), validated at start.</summary>
    public static OptionsBuilder<StorageConnectionOptions> AddStorageConnectionOptions(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<StorageConnectionOptions>, StorageConnectionOptionsValidator>();
        return services.AddOptions<StorageConnectionOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                var name = Resolve(configuration, StorageConnectionOptions.Section);
                var section = configuration.GetSection(name);
                section.Bind(options);
                options.ConnectionString = section.Value;
                options.Name = name;
            })
            .ValidateOnStart();
    }

    private static bool IsSet(IConfigurationSection section) =>
        !string.IsNullOrEmpty(section.Value) || section.GetChildren().Any(c => !string.IsNullOrEmpty(c.Value));
}
