// Internal to src/engine: the transform matrices of Winograd minimal filtering F(m, r) with A-point
// transformed tiles (A = 6 or 8, m = A + 1 - r), derived by Toom-Cook from the interpolation points
// below, at compile time: the transforms are compiled with their coefficients as constants (zeros
// dropped, ±1 as adds).
//
// For a correlation y(i) = Σ_j d(i + j) g(j), i < m, j < r, over a tile d of A values:
//     y = AT · ((G · g) ⊙ (BT · d))
// The polynomial product c = a·b (deg a = m-1, deg b = r-1) is evaluated at the A points, multiplied
// and interpolated: c = V⁻¹ · ((Ea·a) ⊙ (Eb·b)) with Ea, Eb, V the evaluation matrices (the point at
// infinity takes the leading coefficient). The correlation is its transpose in a:
// y = Eaᵀ · ((Eb·g) ⊙ (V⁻ᵀ·d)), so AT = Eaᵀ, G = Eb, BT = V⁻ᵀ (the same for every r).
#pragma once

namespace znn::winograd {

constexpr int max_alpha = 8;
constexpr int max_taps = 5;  // r = 2..5
constexpr int max_pieces = 3;  // per axis, for filters of more taps (winograd_tiling::pieces)

// The finite interpolation points, the first A - 1 of them for A-point tiles; the last point is
// infinity. Small points keep the entries of the matrices, and so the rounding of float transforms,
// small: for A = 6 |BT| <= 5, |AT| <= 1, |G| <= 1; A = 8 adds ±2 (the usual points of F(6, 3)), with
// |BT| <= 21/4 and |AT|, |G| up to 2^(m-1) and 2^(r-1): float errors as for A = 6 (conv_winograd.hpp).
constexpr double points[max_alpha - 1] = {0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0};

// Row k of the evaluation matrix of polynomials with n coefficients at the points of A-point tiles,
// column j: point^j, or the leading coefficient for the point at infinity (k == A - 1).
constexpr double evaluation(int A, int k, int j, int n)
{
    if (k == A - 1) return j == n - 1 ? 1.0 : 0.0;
    double x = 1.0;
    for (int i = 0; i < j; ++i) x *= points[k];
    return x;
}

template <int A>
struct square {
    double a[A][A] = {};
};

// V⁻ᵀ by Gauss-Jordan elimination with partial pivoting (V is well conditioned for these points).
template <int A>
constexpr square<A> input_transform()
{
    square<A> v, inv;
    for (int k = 0; k < A; ++k)
        for (int j = 0; j < A; ++j) {
            v.a[k][j] = evaluation(A, k, j, A);
            inv.a[k][j] = k == j ? 1.0 : 0.0;
        }
    auto abs = [](double x) { return x < 0 ? -x : x; };
    for (int col = 0; col < A; ++col) {
        int pivot = col;
        for (int i = col + 1; i < A; ++i)
            if (abs(v.a[i][col]) > abs(v.a[pivot][col])) pivot = i;
        for (int j = 0; j < A; ++j) {
            double t = v.a[col][j];
            v.a[col][j] = v.a[pivot][j];
            v.a[pivot][j] = t;
            t = inv.a[col][j];
            inv.a[col][j] = inv.a[pivot][j];
            inv.a[pivot][j] = t;
        }
        const double d = v.a[col][col];
        for (int j = 0; j < A; ++j) {
            v.a[col][j] /= d;
            inv.a[col][j] /= d;
        }
        for (int i = 0; i < A; ++i) {
            if (i == col || v.a[i][col] == 0.0) continue;
            const double f = v.a[i][col];
            for (int j = 0; j < A; ++j) {
                v.a[i][j] -= f * v.a[col][j];
                inv.a[i][j] -= f * inv.a[col][j];
            }
        }
    }
    square<A> bt;
    for (int k = 0; k < A; ++k)
        for (int j = 0; j < A; ++j) {
            const double x = inv.a[j][k];
            bt.a[k][j] = abs(x) < 1e-12 ? 0.0 : x;  // exact zeros where elimination leaves rounding dust
        }
    return bt;
}

template <int A>
inline constexpr square<A> BT = input_transform<A>();

// AT for m outputs (m rows of A) and G for r taps (A rows of r), as functions of their indices so that
// they fold to constants in templates.
constexpr double AT(int A, int m, int i, int k)
{
    return evaluation(A, k, i, m);
}
constexpr double G(int A, int r, int k, int j)
{
    return evaluation(A, k, j, r);
}

}  // namespace znn::winograd
