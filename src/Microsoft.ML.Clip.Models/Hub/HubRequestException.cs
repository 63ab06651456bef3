using System.Net;

namespace Microsoft.ML.Clip.Hub;

/// <summary>A Hugging Face Hub request failed (not found, unauthorized, server error, network unreachable).</summary>
public sealed class HubRequestException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="url">The requested address.</param>
    /// <param name="statusCode">The HTTP status, or null when no response arrived.</param>
    /// <param name="errorCode">The Hub's <c>X-Error-Code</c> header (e.g. <c>EntryNotFound</c>, <c>RepoNotFound</c>, <c>GatedRepo</c>).</param>
    /// <param name="inner">The underlying exception.</param>
    public HubRequestException(string message, string url, HttpStatusCode? statusCode, string? errorCode = null, Exception? inner = null)
        : base(message, inner)
    {
        Url = url;
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>The requested address.</summary>
    public string Url { get; }

    /// <summary>The HTTP status, or null when the server could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The Hub's <c>X-Error-Code</c> header, if any.</summary>
    public string? ErrorCode { get; }

    /// <summary>True when no response arrived (connection refused, DNS failure, timeout): the cache may be used instead.</summary>
    public bool IsUnreachable { get; init; }

    /// <summary>True when the file does not exist in the repository (404 that is not a missing repository or revision).</summary>
    public bool IsEntryNotFound => StatusCode == HttpStatusCode.NotFound && ErrorCode is null or "EntryNotFound";
}
