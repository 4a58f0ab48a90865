// Internal to src/engine: the transform matrices of Winograd minimal filtering F(m, r) with 6-point
// transformed tiles (m = 7 - r), derived by Toom-Cook from the interpolation points below, at compile
// time: the transforms are compiled with their coefficients as constants (zeros dropped, ±1 as adds).
//
// For a correlation y(i) = Σ_j d(i + j) g(j), i < m, j < r, over a tile d of 6 values:
//     y = AT · ((G · g) ⊙ (BT · d))
// The polynomial product c = a·b (deg a = m-1, deg b = r-1) is evaluated at the 6 points, multiplied
// and interpolated: c = V⁻¹ · ((Ea·a) ⊙ (Eb·b)) with Ea, Eb, V the evaluation matrices (the point at
// infinity takes the leading coefficient). The correlation is its transpose in a:
// y = Eaᵀ · ((Eb·g) ⊙ (V⁻ᵀ·d)), so AT = Eaᵀ, G = Eb, BT = V⁻ᵀ (the same for every r).
#pragma once

namespace znn::winograd {

constexpr int alpha = 6;
constexpr int max_taps = 5;  // r = 2..5, m = 7 - r

// The five finite interpolation points; the sixth is infinity. Small points keep the entries of the
// matrices, and so the rounding of float transforms, small: |BT| <= 5, |AT| <= 1, |G| <= 1.
constexpr double points[alpha - 1] = {0.0, 1.0, -1.0, 0.5, -0.5};

// Row k of the evaluation matrix of polynomials with n coefficients, column j: point^j, or the leading
// coefficient for the point at infinity (k == alpha - 1).
constexpr double evaluation(int k, int j, int n)
{
    if (k == alpha - 1) return j == n - 1 ? 1.0 : 0.0;
    double x = 1.0;
    for (int i = 0; i < j; ++i) x *= points[k];
    return x;
}

struct square {
    double a[alpha][alpha] = {};
};

// V⁻ᵀ by Gauss-Jordan elimination with partial pivoting (V is well conditioned for these points).
constexpr square input_transform()
{
    square v, inv;
    for (int k = 0; k < alpha; ++k)
        for (int j = 0; j < alpha; ++j) {
            v.a[k][j] = evaluation(k, j, alpha);
            inv.a[k][j] = k == j ? 1.0 : 0.0;
        }
    auto abs = [](double x) { return x < 0 ? -x : x; };
    for (int col = 0; col < alpha; ++col) {
        int pivot = col;
        for (int i = col + 1; i < alpha; ++i)
            if (abs(v.a[i][col]) > abs(v.a[pivot][col])) pivot = i;
        for (int j = 0; j < alpha; ++j) {
            double t = v.a[col][j];
            v.a[col][j] = v.a[pivot][j];
            v.a[pivot][j] = t;
            t = inv.a[col][j];
            inv.a[col][j] = inv.a[pivot][j];
            inv.a[pivot][j] = t;
        }
        const double d = v.a[col][col];
        for (int j = 0; j < alpha; ++j) {
            v.a[col][j] /= d;
            inv.a[col][j] /= d;
        }
        for (int i = 0; i < alpha; ++i) {
            if (i == col || v.a[i][col] == 0.0) continue;
            const double f = v.a[i][col];
            for (int j = 0; j < alpha; ++j) {
                v.a[i][j] -= f * v.a[col][j];
                inv.a[i][j] -= f * inv.a[col][j];
            }
        }
    }
    square bt;
    for (int k = 0; k < alpha; ++k)
        for (int j = 0; j < alpha; ++j) {
            const double x = inv.a[j][k];
            bt.a[k][j] = abs(x) < 1e-12 ? 0.0 : x;  // exact zeros where elimination leaves rounding dust
        }
    return bt;
}

inline constexpr square BT = input_transform();

// AT for m outputs (m rows of alpha) and G for r taps (alpha rows of r), as functions of their indices
// so that they fold to constants in templates.
constexpr double AT(int m, int i, int k)
{
    return evaluation(k, i, m);
}
constexpr double G(int r, int k, int j)
{
    return evaluation(k, j, r);
}

}  // namespace znn::winograd
