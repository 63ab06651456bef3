namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// A read-only character trie over the pieces of a vocabulary, for common-prefix walks. Built with a hash map, then
/// frozen into compact arrays (children of a node sorted by character, found by binary search; the root's
/// children in a direct table), which keeps a 250,000-piece XLM-R vocabulary to a few tens of megabytes.
/// </summary>
internal sealed class PieceTrie
{
    private readonly int[] _rootChildren = new int[char.MaxValue + 1]; // 0 = none (the root is node 0)
    private readonly int[] _edgeStart;   // node → first edge; edges of node n are [_edgeStart[n], _edgeStart[n + 1])
    private readonly char[] _edgeChar;
    private readonly int[] _edgeTarget;
    private readonly int[] _nodeValue;   // node → piece id ending there, or -1

    /// <summary>Builds the trie; <paramref name="pieces"/> maps each (non-empty) piece to the id stored at its node.</summary>
    public PieceTrie(IEnumerable<KeyValuePair<string, int>> pieces)
    {
        var edges = new Dictionary<long, int>();
        var values = new List<int> { -1 };
        foreach (var (piece, id) in pieces)
        {
            int node = 0;
            foreach (char c in piece)
            {
                long key = ((long)node << 16) | c;
                if (!edges.TryGetValue(key, out int next))
                {
                    next = values.Count;
                    values.Add(-1);
                    edges[key] = next;
                }

                node = next;
            }

            if (node != 0)
            {
                values[node] = id;
            }
        }

        int nodes = values.Count;
        _nodeValue = values.ToArray();
        _edgeStart = new int[nodes + 1];
        foreach (long key in edges.Keys)
        {
            _edgeStart[(int)(key >> 16) + 1]++;
        }

        for (int n = 0; n < nodes; n++)
        {
            _edgeStart[n + 1] += _edgeStart[n];
        }

        _edgeChar = new char[edges.Count];
        _edgeTarget = new int[edges.Count];
        var fill = (int[])_edgeStart.Clone();
        foreach (var (key, target) in edges)
        {
            int parent = (int)(key >> 16);
            char c = (char)(key & 0xFFFF);
            int slot = fill[parent]++;
            _edgeChar[slot] = c;
            _edgeTarget[slot] = target;
            if (parent == 0)
            {
                _rootChildren[c] = target;
            }
        }

        for (int n = 0; n < nodes; n++)
        {
            Array.Sort(_edgeChar, _edgeTarget, _edgeStart[n], _edgeStart[n + 1] - _edgeStart[n]);
        }
    }

    /// <summary>The root node.</summary>
    public const int Root = 0;

    /// <summary>The child of <paramref name="node"/> along <paramref name="c"/>, or -1.</summary>
    public int Child(int node, char c)
    {
        if (node == Root)
        {
            int child = _rootChildren[c];
            return child == 0 ? -1 : child;
        }

        int index = Array.BinarySearch(_edgeChar, _edgeStart[node], _edgeStart[node + 1] - _edgeStart[node], c);
        return index >= 0 ? _edgeTarget[index] : -1;
    }

    /// <summary>The id of the piece ending at <paramref name="node"/>, or -1.</summary>
    public int Value(int node) => _nodeValue[node];
}
