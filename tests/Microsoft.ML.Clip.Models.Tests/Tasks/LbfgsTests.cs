using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Tests.Tasks;

[TestClass]
public sealed class LbfgsTests
{
    [TestMethod]
    public void MinimizesRosenbrockToItsKnownMinimum()
    {
        // f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1).
        static double Rosenbrock(ReadOnlySpan<double> p, Span<double> g)
        {
            double x = p[0], y = p[1];
            g[0] = (-2 * (1 - x)) - (400 * x * (y - (x * x)));
            g[1] = 200 * (y - (x * x));
            return ((1 - x) * (1 - x)) + (100 * (y - (x * x)) * (y - (x * x)));
        }

        var point = new double[] { -1.2, 1.0 };
        LbfgsResult result = Lbfgs.Minimize(Rosenbrock, point, maxIterations: 500, gradientTolerance: 1e-9);
        Assert.IsTrue(result.Converged, $"gradient {result.GradientNorm} after {result.Iterations} iterations");
        Assert.AreEqual(1.0, point[0], 1e-6);
        Assert.AreEqual(1.0, point[1], 1e-6);
        Assert.AreEqual(0.0, result.Value, 1e-12);
    }

    [TestMethod]
    public void MinimizesAQuadratic()
    {
        // f(x) = Σ (i+1)(x_i − i)², minimum at x_i = i.
        static double Quadratic(ReadOnlySpan<double> p, Span<double> g)
        {
            double f = 0;
            for (int i = 0; i < p.Length; i++)
            {
                f += (i + 1) * (p[i] - i) * (p[i] - i);
                g[i] = 2 * (i + 1) * (p[i] - i);
            }

            return f;
        }

        var point = new double[20];
        Lbfgs.Minimize(Quadratic, point, gradientTolerance: 1e-10);
        for (int i = 0; i < point.Length; i++)
        {
            Assert.AreEqual(i, point[i], 1e-6);
        }
    }
}
