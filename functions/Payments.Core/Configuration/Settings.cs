using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Payments.Core.Configuration;

/// <summary>
/// How the app reads its settings: one options class per configuration section, bound with
/// <c>BindConfiguration</c>, checked by its data annotations (nested options classes are sub-sections)
/// and any <see cref="IValidateOptions{TOptions}"/> registered for it, at start. Every failure names the
/// setting as operators write it (<c>Finishing__MaxAttempts</c>), never its value.
/// </summary>
public static class Settings
{
    /// <summary>"Security:Pgp" + "Passphrase" → "Security__Pgp__Passphrase".</summary>
    public static string EnvironmentName(string section, string property) => EnvironmentName(section + ":" + property);

    /// <summary>"Security:Pgp:Passphrase" → "Security__Pgp__Passphrase".</summary>
    public static string EnvironmentName(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/> and validates it at start.</summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new AnnotationsValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>The problems of <paramref name="options"/> by its data annotations, nested options classes included.</summary>
    public static IEnumerable<string> Problems(object options, string section)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
            foreach (var member in result.MemberNames.DefaultIfEmpty(""))
                yield return $"{EnvironmentName(section, member)}: {result.ErrorMessage}";
        foreach (var property in NestedSections(options.GetType()))
            if (property.GetValue(options) is { } nested)
                foreach (var problem in Problems(nested, section + ":" + property.Name))
                    yield return problem;
    }

    /// <summary>Public settable properties of an options class: what configuration binds.</summary>
    public static IEnumerable<PropertyInfo> BoundProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    /// <summary>Bound properties that are options classes of their own (sub-sections).</summary>
    public static IEnumerable<PropertyInfo> NestedSections(Type type) =>
        BoundProperties(type).Where(p => p.PropertyType.IsClass && p.PropertyType.Namespace?.StartsWith("Payments.", StringComparison.Ordinal) == true);

    private sealed class AnnotationsValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = Problems(options, section).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
