namespace Microsoft.ML.Transforms.Internal;

/// <summary>Schema errors worded as ML.NET words them (its helpers are internal).</summary>
internal static class SchemaErrors
{
    /// <summary><c>Could not find input column 'X'</c>.</summary>
    public static ArgumentOutOfRangeException MissingColumn(string paramName, string column) =>
        new(paramName, $"Could not find input column '{column}'");

    /// <summary><c>Schema mismatch for input column 'X': expected E, got A</c>.</summary>
    public static ArgumentOutOfRangeException Mismatch(string paramName, string column, string expected, string actual) =>
        new(paramName, $"Schema mismatch for input column '{column}': expected {expected}, got {actual}");
}
