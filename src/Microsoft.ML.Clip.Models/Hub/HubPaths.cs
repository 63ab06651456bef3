namespace Microsoft.ML.Clip.Hub;

/// <summary>Validation of names that become paths in the cache (so a server or a caller cannot escape it).</summary>
internal static class HubPaths
{
    /// <summary>Checks a repository file name: relative, '/'-separated, no empty, '.' or '..' segments, no backslash.</summary>
    public static void CheckRelativeFileName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.StartsWith('/') || name.Contains('\\') || name.Contains('\0') || (name.Length >= 2 && name[1] == ':')
            || name.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException($"'{name}' is not a valid repository file name (relative, '/'-separated, without '.', '..' or empty parts).", nameof(name));
        }
    }

    /// <summary>True when an ETag can be used as a blob file name (hex or similar; never a path).</summary>
    public static bool IsSafeBlobName(string etag) =>
        etag.Length is > 0 and <= 128 && etag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>True for a 64-character hex SHA-256 (the ETag of a Git LFS file).</summary>
    public static bool IsSha256(string etag) => etag.Length == 64 && etag.All(char.IsAsciiHexDigitLower);
}
