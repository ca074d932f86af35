using System.Text;

namespace Payments.Core.Storage;

/// <summary>Ids made safe to be part of a table key.</summary>
internal static class TableKeys
{
    /// <summary>Table keys may not hold / \ # ? or control characters; we also reserve '|' and '%'.
    /// Ids Google generates (mandateId) can hold anything, so they are percent-encoded.</summary>
    public static string Escape(string id)
    {
        var needs = false;
        foreach (var c in id) if (c is '/' or '\\' or '#' or '?' or '|' or '%' || char.IsControl(c)) { needs = true; break; }
        if (!needs) return id;
        var sb = new StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            if (c is '/' or '\\' or '#' or '?' or '|' or '%' || char.IsControl(c)) sb.Append('%').Append(((int)c).ToString("X2"));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
