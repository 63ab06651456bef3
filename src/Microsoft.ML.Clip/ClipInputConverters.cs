using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms;

/// <summary>
/// The <see cref="ClipInputConverter"/>s the image and video transforms use for column types the core does not know.
/// </summary>
/// <remarks>
/// <para>Add-on packages need no call: the first time a transform checks an input column, the known add-on assemblies
/// (<c>Microsoft.ML.Clip.ImageAnalytics</c>) are loaded if the application references them, and every loaded assembly
/// that references <c>Microsoft.ML.Clip</c> and carries <see cref="ClipInputConverterAttribute"/> has its converters
/// registered. Referencing the <c>Microsoft.ML.Clip.ImageAnalytics</c> package is therefore enough for <c>MLImage</c>
/// columns to work.</para>
/// <para>Hosts that load add-ons in their own <c>AssemblyLoadContext</c>, or converters outside such an assembly, call
/// <see cref="Register"/>.</para>
/// </remarks>
public static class ClipInputConverters
{
    /// <summary>Add-on assemblies loaded by name when present (the application references their package).</summary>
    private static readonly string[] KnownAddOns = ["Microsoft.ML.Clip.ImageAnalytics"];

    private static readonly object Gate = new();
    private static readonly List<ClipInputConverter> Converters = [];
    private static bool _discovered;

    /// <summary>The registered converters, in the order they are asked (found add-ons included).</summary>
    public static IReadOnlyList<ClipInputConverter> Registered
    {
        get
        {
            Discover();
            lock (Gate)
            {
                return Converters.ToArray();
            }
        }
    }

    /// <summary>Registers a converter; a second converter of the same type is ignored.</summary>
    /// <param name="converter">The converter.</param>
    public static void Register(ClipInputConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        lock (Gate)
        {
            if (!Converters.Any(c => c.GetType() == converter.GetType()))
            {
                Converters.Add(converter);
            }
        }
    }

    /// <summary>The first converter that reads <paramref name="type"/>, with the kind it reads it as.</summary>
    internal static (ClipInputConverter Converter, ClipMediaKind Kind)? Find(DataViewType type)
    {
        foreach (ClipInputConverter converter in Registered)
        {
            if (converter.GetMediaKind(type) is ClipMediaKind kind)
            {
                return (converter, kind);
            }
        }

        return null;
    }

    /// <summary>The kind the first converter that reads a shape column reads it as.</summary>
    internal static ClipMediaKind? Find(SchemaShape.Column column)
    {
        foreach (ClipInputConverter converter in Registered)
        {
            if (converter.GetMediaKind(column) is ClipMediaKind kind)
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>The converters' descriptions of what they read as <paramref name="kind"/>, e.g. <c>Image (MLImage)</c>.</summary>
    internal static IEnumerable<string> Describe(ClipMediaKind kind) =>
        Registered.Select(c => c.DescribeAcceptedTypes(kind)).OfType<string>();

    /// <summary>Registers the converters of the add-on assemblies, once (under the lock, so no caller sees a partial list).</summary>
    private static void Discover()
    {
        lock (Gate)
        {
            if (_discovered)
            {
                return;
            }

            foreach (string name in KnownAddOns)
            {
                try
                {
                    Assembly.Load(new AssemblyName(name));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // The application does not reference that add-on.
                }
            }

            string core = typeof(ClipInputConverters).Assembly.GetName().Name!;
            foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (assembly.IsDynamic || !assembly.GetReferencedAssemblies().Any(a => a.Name == core))
                {
                    continue;
                }

                foreach (ClipInputConverterAttribute attribute in assembly.GetCustomAttributes<ClipInputConverterAttribute>())
                {
                    Register(Create(attribute.ConverterType, assembly));
                }
            }

            _discovered = true;
        }
    }

    private static ClipInputConverter Create(Type type, Assembly assembly) =>
        Activator.CreateInstance(type) as ClipInputConverter
            ?? throw new InvalidOperationException(
                $"{assembly.GetName().Name} names {type} in [ClipInputConverter], but that type does not derive from {nameof(ClipInputConverter)}.");
}
