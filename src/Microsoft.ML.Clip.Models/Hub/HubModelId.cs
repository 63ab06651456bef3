using System.Text.RegularExpressions;

namespace Microsoft.ML.Clip.Hub;

/// <summary>A Hugging Face model repository id with a revision, e.g. <c>microsoft/xclip-base-patch32@main</c>.</summary>
/// <param name="RepoId">The repository id, <c>org/name</c> (or a legacy single <c>name</c>).</param>
/// <param name="Revision">A branch, tag or 40-character commit hash; <c>main</c> by default.</param>
public sealed partial record HubModelId(string RepoId, string Revision)
{
    /// <summary>The default revision.</summary>
    public const string DefaultRevision = "main";

    /// <summary>The cache folder name, <c>models--{org}--{name}</c>, as <c>huggingface_hub</c> spells it.</summary>
    public string CacheFolderName => "models--" + RepoId.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>True when <see cref="Revision"/> is a full commit hash.</summary>
    public bool IsCommitHash => IsCommit(Revision);

    /// <summary>Parses <c>org/name</c> or <c>org/name@revision</c>.</summary>
    /// <param name="text">The id.</param>
    /// <exception cref="ArgumentException">The id is not a valid repository id; the message says why.</exception>
    public static HubModelId Parse(string text) =>
        TryParse(text, out HubModelId? id, out string? error) ? id : throw new ArgumentException(error, nameof(text));

    /// <summary>Parses an id, returning false (with a reason) when it is not a valid repository id.</summary>
    /// <param name="text">The id.</param>
    /// <param name="id">The parsed id.</param>
    /// <param name="error">Why parsing failed.</param>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubModelId? id, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        id = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The model id is empty; expected 'org/name' or 'org/name@revision'.";
            return false;
        }

        string repo = text;
        string revision = DefaultRevision;
        int at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            repo = text[..at];
            revision = text[(at + 1)..];
            if (revision.Length == 0 || revision.Contains("..", StringComparison.Ordinal) || revision.StartsWith('/') || revision.EndsWith('/')
                || revision.Any(c => char.IsControl(c) || c == '\\' || c == ' '))
            {
                error = $"'{text}' has an invalid revision '{revision}'; expected a branch, tag or commit hash after '@'.";
                return false;
            }
        }

        // huggingface_hub's validate_repo_id: [\w\-.] in one or two parts, no '--' or '..', not ending in '.git', ≤ 96 chars.
        if (repo.Length > 96 || !RepoIdPattern().IsMatch(repo) || repo.Contains("--", StringComparison.Ordinal)
            || repo.Contains("..", StringComparison.Ordinal) || repo.EndsWith(".git", StringComparison.Ordinal)
            || repo.Split('/').Any(part => part.StartsWith('.') || part.StartsWith('-') || part.EndsWith('.') || part.EndsWith('-')))
        {
            error = $"'{repo}' is not a valid Hugging Face repository id (expected 'org/name' with letters, digits, '-', '_' and '.'), nor an existing local folder.";
            return false;
        }

        id = new HubModelId(repo, revision);
        error = null;
        return true;
    }

    /// <summary>True for a 40-character lowercase hex git commit hash.</summary>
    /// <param name="text">The text to test.</param>
    public static bool IsCommit(string? text) => text is not null && CommitPattern().IsMatch(text);

    /// <inheritdoc />
    public override string ToString() => Revision == DefaultRevision ? RepoId : $"{RepoId}@{Revision}";

    [GeneratedRegex(@"^([A-Za-z0-9_\-.]+/)?[A-Za-z0-9_\-.]+$")]
    private static partial Regex RepoIdPattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
