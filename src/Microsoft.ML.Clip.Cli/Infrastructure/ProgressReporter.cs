using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>
/// Reports progress on standard error: a bar with count, rate and ETA redrawn in place on a terminal, or plain lines
/// (<c>clip: embed 12/100 (3.2/s, ETA 0:27)</c>, at most one every few seconds and one at the end) when standard error
/// is redirected to a file or pipe.
/// </summary>
internal sealed class ProgressReporter
{
    private const int BarWidth = 28;
    private readonly CliContext _context;
    private readonly string _label;
    private readonly int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _lineInterval;
    private TimeSpan? _lastLine;
    private int _done;
    private bool _drewBar;

    /// <summary>Starts reporting.</summary>
    /// <param name="context">Where to write; <see cref="CliContext.ErrorIsTerminal"/> picks bar or lines.</param>
    /// <param name="label">What is being done, e.g. <c>embed</c>.</param>
    /// <param name="total">The number of items to process.</param>
    /// <param name="lineInterval">Minimum time between plain progress lines (default 2 s).</param>
    public ProgressReporter(CliContext context, string label, int total, TimeSpan? lineInterval = null)
    {
        _context = context;
        _label = label;
        _total = total;
        _lineInterval = lineInterval ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>Items completed so far.</summary>
    public int Done => _done;

    /// <summary>Records <paramref name="count"/> more completed items and redraws.</summary>
    /// <param name="count">Items just completed.</param>
    public void Advance(int count = 1)
    {
        _done = Math.Min(_total, _done + count);
        TimeSpan now = _clock.Elapsed;
        if (_context.ErrorIsTerminal)
        {
            _context.Error.Write("\r" + Describe(now, bar: true) + "\u001b[K");
            _drewBar = true;
        }
        else if (_done == _total || _lastLine is null || now - _lastLine.Value >= _lineInterval)
        {
            _context.Error.WriteLine("clip: " + Describe(now, bar: false));
            _lastLine = now;
        }
    }

    /// <summary>Ends the bar's line (terminal only), so later output starts on a fresh line.</summary>
    public void Finish()
    {
        if (_drewBar)
        {
            _context.Error.WriteLine();
            _drewBar = false;
        }
    }

    /// <summary>The text of one progress report.</summary>
    /// <param name="elapsed">Time since the start.</param>
    /// <param name="bar">True to include the bar.</param>
    internal string Describe(TimeSpan elapsed, bool bar)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        double rate = _done / seconds;
        string eta = _done == 0 ? "?" : FormatDuration(TimeSpan.FromSeconds((_total - _done) / rate));
        string counts = $"{_done}/{_total}";
        string rateText = rate.ToString(rate >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture) + "/s";
        if (!bar)
        {
            return $"{_label} {counts} ({rateText}, ETA {eta})";
        }

        int filled = _total == 0 ? BarWidth : (int)((long)BarWidth * _done / _total);
        return $"{_label} [{new string('#', filled)}{new string('-', BarWidth - filled)}] {counts} {rateText} ETA {eta}";
    }

    private static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1
            ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}"
            : $"{t.Minutes}:{t.Seconds:00}";
}
