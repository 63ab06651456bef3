using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>Schema errors worded as ML.NET words them (its helpers are internal).</summary>
internal static class SchemaErrors
{
    /// <summary><c>Could not find input column 'X'</c>.</summary>
    public static ArgumentOutOfRangeException MissingColumn(string paramName, string column) =>
        new(paramName, $"Could not find input column '{column}'");

    /// <summary><c>Schema mismatch for input column 'X': expected E, got A</c>, with a hint when the column holds images no converter reads.</summary>
    public static ArgumentOutOfRangeException Mismatch(string paramName, string column, string expected, string actual, DataViewType? actualType = null) =>
        new(paramName, $"Schema mismatch for input column '{column}': expected {expected}, got {actual}{Hint(actualType)}");

    /// <summary>MLImage columns are read by the Microsoft.ML.Clip.ImageAnalytics add-on: say so when it is not referenced.</summary>
    private static string Hint(DataViewType? type) =>
        type?.RawType.FullName == "Microsoft.ML.Data.MLImage" && !ClipInputConverters.Registered.Any(c => c.GetMediaKind(type) is not null)
            ? ". MLImage columns are read by the Microsoft.ML.Clip.ImageAnalytics package: add a reference to it (no code is needed)."
            : string.Empty;
}
