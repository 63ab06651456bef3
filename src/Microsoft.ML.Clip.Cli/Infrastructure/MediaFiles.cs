namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>What kind of input a file is, judged by its extension, and folder expansion.</summary>
internal static class MediaFiles
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm",
    };

    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp", ".ts", ".ogv", ".gifv",
    };

    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase) { ".txt", ".text" };

    /// <summary>True for an image extension (.png, .jpg, …).</summary>
    /// <param name="path">A file path.</param>
    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    /// <summary>True for a video extension (.mp4, .mkv, …).</summary>
    /// <param name="path">A file path.</param>
    public static bool IsVideo(string path) => VideoExtensions.Contains(Path.GetExtension(path));

    /// <summary>True for a text file of lines (.txt).</summary>
    /// <param name="path">A file path.</param>
    public static bool IsText(string path) => TextExtensions.Contains(Path.GetExtension(path));

    /// <summary>
    /// Expands folders into the videos and images they contain (recursively, sorted by path, so runs are
    /// reproducible); files are kept as given. A missing path is an error naming it.
    /// </summary>
    /// <param name="paths">Files and folders.</param>
    /// <param name="includeText">Also take .txt files found in folders.</param>
    public static List<string> Expand(IEnumerable<string> paths, bool includeText = false)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => IsImage(f) || IsVideo(f) || (includeText && IsText(f)))
                    .OrderBy(f => f, StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"'{path}' does not exist (neither a file nor a folder).", path);
            }
        }

        return files;
    }

    /// <summary>The default model for these inputs: X-CLIP when any is a video, AltCLIP otherwise.</summary>
    /// <param name="files">Input files.</param>
    public static string DefaultModelFor(IEnumerable<string> files) =>
        files.Any(IsVideo) ? ModelDefaults.Video : ModelDefaults.Image;
}
