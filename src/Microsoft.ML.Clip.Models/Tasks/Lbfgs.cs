namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// Limited-memory BFGS minimiser (Nocedal &amp; Wright, algorithm 7.4 two-loop recursion) with a
/// backtracking Armijo line search. Deterministic: no randomness, fixed arithmetic order.
/// </summary>
public static class Lbfgs
{
    /// <summary>The objective: writes the gradient at <c>x</c> into <c>gradient</c> and returns the value.</summary>
    /// <param name="x">The point.</param>
    /// <param name="gradient">Receives the gradient (same length as <paramref name="x"/>).</param>
    /// <returns>The objective's value at <paramref name="x"/>.</returns>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>Minimises <paramref name="objective"/> starting at <paramref name="x"/> (updated in place).</summary>
    /// <param name="objective">The function and its gradient.</param>
    /// <param name="x">The start point; receives the minimiser.</param>
    /// <param name="maxIterations">The iteration limit.</param>
    /// <param name="gradientTolerance">Stop when the gradient's infinity norm is below this.</param>
    /// <param name="history">The number of correction pairs kept.</param>
    /// <returns>The result (final value, iterations, whether the tolerance was met).</returns>
    public static LbfgsResult Minimize(Objective objective, double[] x, int maxIterations = 500, double gradientTolerance = 1e-6, int history = 10)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(history, 1);
        int n = x.Length;
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var d = new double[n];
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var alpha = new double[history];
        double f = objective(x, g);
        int iteration = 0;
        while (iteration < maxIterations && InfinityNorm(g) >= gradientTolerance)
        {
            iteration++;

            // Two-loop recursion: d = -H·g with H the implicit inverse-Hessian approximation.
            Array.Copy(g, d, n);
            for (int i = s.Count - 1; i >= 0; i--)
            {
                alpha[i] = rho[i] * Dot(s[i], d);
                Axpy(-alpha[i], y[i], d);
            }

            double gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1.0 / Math.Max(1.0, Math.Sqrt(Dot(g, g)));
            Scale(d, gamma);
            for (int i = 0; i < s.Count; i++)
            {
                double beta = rho[i] * Dot(y[i], d);
                Axpy(alpha[i] - beta, s[i], d);
            }

            Scale(d, -1);
            double slope = Dot(g, d);
            if (slope >= 0)
            {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                s.Clear();
                y.Clear();
                rho.Clear();
                Array.Copy(g, d, n);
                Scale(d, -1.0 / Math.Max(1.0, Math.Sqrt(Dot(g, g))));
                slope = Dot(g, d);
            }

            // Backtracking line search with the Armijo condition f(x + t·d) ≤ f(x) + 1e-4·t·slope.
            double step = 1;
            double fNew = double.NaN;
            bool accepted = false;
            for (int trial = 0; trial < 60; trial++)
            {
                for (int i = 0; i < n; i++)
                {
                    xNew[i] = x[i] + (step * d[i]);
                }

                fNew = objective(xNew, gNew);
                if (double.IsFinite(fNew) && fNew <= f + (1e-4 * step * slope))
                {
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                break;
            }

            var sk = new double[n];
            var yk = new double[n];
            for (int i = 0; i < n; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }

            double sy = Dot(sk, yk);
            if (sy > 1e-12)
            {
                if (s.Count == history)
                {
                    s.RemoveAt(0);
                    y.RemoveAt(0);
                    rho.RemoveAt(0);
                }

                s.Add(sk);
                y.Add(yk);
                rho.Add(1.0 / sy);
            }

            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            double previous = f;
            f = fNew;
            if (Math.Abs(previous - f) <= 1e-15 * Math.Max(1.0, Math.Abs(f)))
            {
                break;
            }
        }

        return new LbfgsResult(f, iteration, InfinityNorm(g) < gradientTolerance, InfinityNorm(g));
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(double[] x, double a)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }

    private static double InfinityNorm(double[] x)
    {
        double max = 0;
        foreach (double v in x)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }
}

/// <summary>The outcome of <see cref="Lbfgs.Minimize"/>.</summary>
/// <param name="Value">The objective at the returned point.</param>
/// <param name="Iterations">The iterations run.</param>
/// <param name="Converged">Whether the gradient tolerance was met.</param>
/// <param name="GradientNorm">The gradient's infinity norm at the returned point.</param>
public readonly record struct LbfgsResult(double Value, int Iterations, bool Converged, double GradientNorm);
