using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>Deep JSON comparison: same keys, same values; numbers compared by value (so 1 equals 1.0), and ints must stay ints.</summary>
internal static class JsonAssert
{
    public static void Equal(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.IsTrue(expected is null && actual is null, $"{path}: expected {expected?.ToJsonString() ?? "null"}, got {actual?.ToJsonString() ?? "null"}");
            return;
        }

        switch (expected)
        {
            case JsonObject obj:
                Assert.IsInstanceOfType<JsonObject>(actual, $"{path}: expected an object, got {actual.ToJsonString()}");
                var other = (JsonObject)actual;
                CollectionAssert.AreEquivalent(obj.Select(p => p.Key).ToArray(), other.Select(p => p.Key).ToArray(), $"{path}: keys differ");
                foreach (var (key, value) in obj)
                {
                    Equal(value, other[key], $"{path}.{key}");
                }

                break;
            case JsonArray array:
                Assert.IsInstanceOfType<JsonArray>(actual, $"{path}: expected an array, got {actual.ToJsonString()}");
                var list = (JsonArray)actual;
                Assert.AreEqual(array.Count, list.Count, $"{path}: array lengths differ");
                for (int i = 0; i < array.Count; i++)
                {
                    Equal(array[i], list[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.AreEqual(expected.GetValueKind(), actual.GetValueKind(), $"{path}: expected {expected.ToJsonString()}, got {actual.ToJsonString()}");
                if (expected.GetValueKind() == JsonValueKind.Number)
                {
                    string e = expected.ToJsonString(), a = actual.ToJsonString();
                    Assert.AreEqual(double.Parse(e, System.Globalization.CultureInfo.InvariantCulture), double.Parse(a, System.Globalization.CultureInfo.InvariantCulture), $"{path}: expected {e}, got {a}");
                    Assert.AreEqual(IsInteger(e), IsInteger(a), $"{path}: expected {e}, got {a} (int vs float)");
                }
                else
                {
                    Assert.AreEqual(expected.ToJsonString(), actual.ToJsonString(), path);
                }

                break;
        }
    }

    private static bool IsInteger(string number) => !number.Contains('.') && !number.Contains('e') && !number.Contains('E');
}
