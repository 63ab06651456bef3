namespace Microsoft.ML.Clip.Hub;

/// <summary>Progress of one file download, reported to an <see cref="IProgress{T}"/>.</summary>
/// <param name="FileName">The file in the repository, e.g. <c>model.safetensors</c>.</param>
/// <param name="BytesDownloaded">Bytes on disk so far (including a resumed part).</param>
/// <param name="TotalBytes">The file size, when the server said it.</param>
public readonly record struct HubDownloadProgress(string FileName, long BytesDownloaded, long? TotalBytes);
