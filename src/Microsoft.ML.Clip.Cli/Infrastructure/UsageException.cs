namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>
/// The command line is wrong in a way the parser cannot see (e.g. an unknown output extension, an option that needs
/// another one). <c>clip</c> reports it on one line and exits with code 2, like a parse error.
/// </summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public UsageException(string message)
        : base(message)
    {
    }
}
