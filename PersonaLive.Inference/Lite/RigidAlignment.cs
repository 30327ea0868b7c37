using System.Numerics;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Rigid alignment of two sets of 3-D face landmarks (a relative motion, not a head pose; the one head-pose
/// type is the personalive engine's): the similarity (scale, rotation, translation) that best maps the "from" points onto the "to" points over rigid indices, by Horn's
/// closed-form quaternion method (J. Opt. Soc. Am. A 4(4), 1987): the rotation is the eigenvector of the
/// largest eigenvalue of a 4x4 symmetric matrix built from the cross-covariance.
/// </summary>
public readonly record struct RigidAlignment(Quaternion Rotation, float Scale, Vector3 FromCentre, Vector3 ToCentre)
{
    /// <summary>Landmarks that move with the skull, not with expressions (forehead, nose bridge, eye corners, cheekbones).</summary>
    public static readonly int[] RigidIndices =
        [10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 33, 133, 362, 263, 234, 454, 127, 356, 116, 345, 50, 280, 93, 323, 109, 338, 67, 297];

    public Vector3 Map(Vector3 p) => ToCentre + Scale * Vector3.Transform(p - FromCentre, Rotation);

    public Vector3 Unmap(Vector3 p) => FromCentre + Vector3.Transform(p - ToCentre, Quaternion.Conjugate(Rotation)) / Scale;

    public static RigidAlignment Fit(ReadOnlySpan<Vector3> from, ReadOnlySpan<Vector3> to, ReadOnlySpan<int> indices)
    {
        Vector3 ca = default, cb = default;
        foreach (var i in indices) { ca += from[i]; cb += to[i]; }
        ca /= indices.Length;
        cb /= indices.Length;
        double sxx = 0, sxy = 0, sxz = 0, syx = 0, syy = 0, syz = 0, szx = 0, szy = 0, szz = 0, na = 0, nb = 0;
        foreach (var i in indices)
        {
            var a = from[i] - ca;
            var b = to[i] - cb;
            sxx += a.X * b.X; sxy += a.X * b.Y; sxz += a.X * b.Z;
            syx += a.Y * b.X; syy += a.Y * b.Y; syz += a.Y * b.Z;
            szx += a.Z * b.X; szy += a.Z * b.Y; szz += a.Z * b.Z;
            na += a.LengthSquared(); nb += b.LengthSquared();
        }
        var n = new double[4, 4]
        {
            { sxx + syy + szz, syz - szy, szx - sxz, sxy - syx },
            { syz - szy, sxx - syy - szz, sxy + syx, szx + sxz },
            { szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy },
            { sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz },
        };
        var v = LargestEigenvector(n);
        var q = Quaternion.Normalize(new Quaternion((float)v[1], (float)v[2], (float)v[3], (float)v[0]));
        var scale = na > 0 ? (float)Math.Sqrt(nb / na) : 1f;
        return new RigidAlignment(q, scale, ca, cb);
    }

    /// <summary>Cyclic Jacobi rotations on a symmetric 4x4 matrix; returns the eigenvector of the largest eigenvalue.</summary>
    private static double[] LargestEigenvector(double[,] a)
    {
        var v = new double[4, 4];
        for (var i = 0; i < 4; i++) v[i, i] = 1;
        for (var sweep = 0; sweep < 12; sweep++)
        {
            double off = 0;
            for (var p = 0; p < 4; p++) for (var q = p + 1; q < 4; q++) off += a[p, q] * a[p, q];
            if (off < 1e-18) break;
            for (var p = 0; p < 4; p++)
                for (var q = p + 1; q < 4; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-30) continue;
                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < 4; k++)
                    {
                        var akp = a[k, p]; var akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (var k = 0; k < 4; k++)
                    {
                        var apk = a[p, k]; var aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (var k = 0; k < 4; k++)
                    {
                        var vkp = v[k, p]; var vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var best = 0;
        for (var i = 1; i < 4; i++) if (a[i, i] > a[best, best]) best = i;
        return [v[0, best], v[1, best], v[2, best], v[3, best]];
    }
}
