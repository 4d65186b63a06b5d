/* test-kde.c: kernel density against its definition and hand-worked values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "gis.h"

static const GisKdeKernel all_kernels[] = {
  GIS_KDE_KERNEL_QUARTIC, GIS_KDE_KERNEL_TRIWEIGHT, GIS_KDE_KERNEL_EPANECHNIKOV,
  GIS_KDE_KERNEL_UNIFORM, GIS_KDE_KERNEL_TRIANGULAR,
};

static void
random_points (GRand  *rand,
               guint   n,
               double  x0,
               double  y0,
               double  size,
               double *x,
               double *y)
{
  for (guint i = 0; i < n; i++)
    {
      x[i] = x0 + g_rand_double (rand) * size;
      y[i] = y0 + g_rand_double (rand) * size;
    }
}

static double
sum_of (const GisKdeResult *r)
{
  double s = 0;

  for (gsize i = 0; i < (gsize) r->grid.nx * r->grid.ny; i++)
    s += r->values[i];
  return s;
}

/* The largest difference relative to the largest value. */
static double
max_rel_diff (const GisKdeResult *a,
              const GisKdeResult *b)
{
  double top = 0, diff = 0;

  g_assert_cmpuint (a->grid.nx, ==, b->grid.nx);
  g_assert_cmpuint (a->grid.ny, ==, b->grid.ny);
  for (gsize i = 0; i < (gsize) a->grid.nx * a->grid.ny; i++)
    {
      top = MAX (top, fabs (a->values[i]));
      diff = MAX (diff, fabs (a->values[i] - b->values[i]));
    }
  return top > 0 ? diff / top : diff;
}

/* Each kernel, either method, sums to the number of points (expected
 * counts) on a grid that holds every kernel, and the density integrates
 * to it too (Σ density × cell area in km²).  The cell is r / 10.54, so the
 * sum over cell centres is a midpoint rule; random offsets average its
 * error out (worst seen: uniform, 1.6e-4).  The fast method bins to a
 * sub-grid of 5: binned to the cell centres alone (s = 1) every point has
 * the same offset and the lattice error does not average out (7e-4 for
 * Epanechnikov and triangular at this radius; 2 % for uniform at 10.3
 * cells, as 341 centres lie within 10.3 cells of a centre, π 10.3² = 333.3). */
static void
test_integrates_to_n (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const guint n = 1000;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  double worst = 0;

  random_points (rand, n, 100000, 200000, 50000, x, y);
  for (guint k = 0; k < G_N_ELEMENTS (all_kernels); k++)
    for (guint m = 0; m < 2; m++)
      {
        GisKdeParams params = { all_kernels[k], GIS_KDE_OUTPUT_EXPECTED_COUNT, m, 5270, 5, 0 };
        GisKdeGrid grid;
        g_auto(GisKdeResult) counts = { 0 };
        g_auto(GisKdeResult) density = { 0 };
        g_autoptr(GError) error = NULL;
        double cell_km2, rel;

        g_assert_true (gis_kde_grid_for_points (x, y, n, params.radius_m, 500, &grid, &error));
        g_assert_no_error (error);
        g_assert_true (gis_kde_run (x, y, NULL, n, &params, &grid, &counts, NULL, NULL, NULL, &error));
        g_assert_no_error (error);
        rel = fabs (sum_of (&counts) - n) / n;
        worst = MAX (worst, rel);
        g_test_message ("%s, %s: sum off by %.3g", gis_kde_kernel_to_string (all_kernels[k]),
                        m == GIS_KDE_METHOD_EXACT ? "exact" : "fast", rel);
        g_assert_cmpfloat (rel, <, 1e-3);

        params.output = GIS_KDE_OUTPUT_DENSITY;
        g_assert_true (gis_kde_run (x, y, NULL, n, &params, &grid, &density, NULL, NULL, NULL, &error));
        cell_km2 = grid.cell_size_m * grid.cell_size_m / 1e6;
        g_assert_cmpfloat (fabs (sum_of (&density) * cell_km2 - n) / n, <, 1e-3);
      }
  g_test_message ("largest relative error of the sums: %.3g", worst);
}

/* The fast method equals the exact one when the points sit on cell centres
 * (s = 1) or on sub-cell centres (s = 3, 5), whatever the number of
 * threads; the radius is not a distance between centres, so no centre is
 * on a kernel's edge. */
static void
test_exact_vs_fast (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const guint n = 3000;
  const double cell = 1000;
  GisKdeGrid grid = { -20000, 120000, cell, 160, 150 };
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree double *w = g_new (double, n);
  double worst = 0;

  for (guint s = 1; s <= 5; s += 2)
    {
      double h = cell / s;

      /* on sub-cell centres, some outside the grid but within reach, and clustered */
      for (guint i = 0; i < n; i++)
        {
          gint fx = g_rand_int_range (rand, -8 * (gint) s, (160 + 8) * (gint) s);
          gint fy = g_rand_int_range (rand, -8 * (gint) s, (150 + 8) * (gint) s);

          if (i % 3 == 0)
            {
              fx = 40 * (gint) s + g_rand_int_range (rand, 0, 3 * (gint) s);
              fy = 60 * (gint) s + g_rand_int_range (rand, 0, 3 * (gint) s);
            }
          x[i] = grid.x_min + (fx + 0.5) * h;
          y[i] = grid.y_max - (fy + 0.5) * h;
          w[i] = 1 + g_rand_int_range (rand, 0, 4);
        }
      for (guint k = 0; k < G_N_ELEMENTS (all_kernels); k++)
        {
          GisKdeParams params = { all_kernels[k], GIS_KDE_OUTPUT_DENSITY, GIS_KDE_METHOD_EXACT, 7300, s, 1 };
          g_auto(GisKdeResult) exact = { 0 };
          g_auto(GisKdeResult) exact2 = { 0 };
          g_auto(GisKdeResult) fast = { 0 };
          g_auto(GisKdeResult) fast2 = { 0 };
          g_autoptr(GError) error = NULL;
          double rel;

          g_assert_true (gis_kde_run (x, y, w, n, &params, &grid, &exact, NULL, NULL, NULL, &error));
          params.n_threads = 3;
          g_assert_true (gis_kde_run (x, y, w, n, &params, &grid, &exact2, NULL, NULL, NULL, &error));
          params.method = GIS_KDE_METHOD_FAST;
          g_assert_true (gis_kde_run (x, y, w, n, &params, &grid, &fast, NULL, NULL, NULL, &error));
          params.n_threads = 1;
          g_assert_true (gis_kde_run (x, y, w, n, &params, &grid, &fast2, NULL, NULL, NULL, &error));
          g_assert_no_error (error);

          /* rows belong to one thread each: the same sums in the same order */
          g_assert_cmpmem (exact.values, grid.nx * grid.ny * sizeof (double),
                           exact2.values, grid.nx * grid.ny * sizeof (double));
          g_assert_cmpmem (fast.values, grid.nx * grid.ny * sizeof (double),
                           fast2.values, grid.nx * grid.ny * sizeof (double));
          rel = max_rel_diff (&exact, &fast);
          worst = MAX (worst, rel);
          g_assert_cmpfloat (rel, <, 1e-6);
        }
    }
  g_test_message ("largest relative difference, exact vs fast: %.3g", worst);

  /* off the centres, the fast method is an approximation, and still close */
  {
    GisKdeParams params = { GIS_KDE_KERNEL_QUARTIC, GIS_KDE_OUTPUT_DENSITY, GIS_KDE_METHOD_EXACT, 7300, 5, 0 };
    g_auto(GisKdeResult) exact = { 0 };
    g_auto(GisKdeResult) fast = { 0 };

    random_points (rand, n, 0, 0, 100000, x, y);
    g_assert_true (gis_kde_run (x, y, NULL, n, &params, &grid, &exact, NULL, NULL, NULL, NULL));
    params.method = GIS_KDE_METHOD_FAST;
    g_assert_true (gis_kde_run (x, y, NULL, n, &params, &grid, &fast, NULL, NULL, NULL, NULL));
    g_assert_cmpfloat (max_rel_diff (&exact, &fast), <, 0.02);
    g_test_message ("off centres, sub-grid 5: %.3g", max_rel_diff (&exact, &fast));
  }
}

/* One point at (0, 0), r = 1 km, cells of 100 m centred on multiples of
 * 100 m.  Quartic, per km²: K = 3/π (1 − (d/r)²)²
 *   d = 0:                3/π              = 0.954929658551372
 *   d = 600 (cell 6, 0):  3/π · 0.64²      = 0.391139188142642
 *   d = 500 (cell 3, 4):  3/π · 0.75²      = 0.537147932935147
 *   d = 1000 (cell 10, 0): 0 (the edge) */
static void
test_single_point (void)
{
  const double x = 0, y = 0;
  GisKdeGrid grid = { -1550, 1550, 100, 31, 31 };
  GisKdeParams params = { GIS_KDE_KERNEL_QUARTIC, GIS_KDE_OUTPUT_DENSITY, GIS_KDE_METHOD_EXACT, 1000, 0, 0 };

  for (guint m = 0; m < 2; m++)
    {
      g_auto(GisKdeResult) r = { 0 };
      g_autoptr(GError) error = NULL;
      /* cell (i, j) of the 31 × 31 grid, the point in cell (15, 15) */
#define AT(i, j) r.values[(15 + (j)) * 31 + (15 + (i))]

      params.method = m;
      g_assert_true (gis_kde_run (&x, &y, NULL, 1, &params, &grid, &r, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (AT (0, 0), 0.954929658551372, 1e-12);
      g_assert_cmpfloat_with_epsilon (AT (6, 0), 0.391139188142642, 1e-12);
      g_assert_cmpfloat_with_epsilon (AT (3, 4), 0.537147932935147, 1e-12);
      g_assert_cmpfloat_with_epsilon (AT (-3, -4), 0.537147932935147, 1e-12);
      g_assert_cmpfloat (AT (10, 0), ==, 0);
      g_assert_cmpfloat (AT (8, 8), ==, 0);
#undef AT
    }

  /* the other outputs: expected count = density × 0.01 km²; raw = the profile */
  {
    g_auto(GisKdeResult) r = { 0 };

    params.output = GIS_KDE_OUTPUT_EXPECTED_COUNT;
    g_assert_true (gis_kde_run (&x, &y, NULL, 1, &params, &grid, &r, NULL, NULL, NULL, NULL));
    g_assert_cmpfloat_with_epsilon (r.values[15 * 31 + 21], 0.00391139188142642, 1e-14);
    gis_kde_result_clear (&r);
    params.output = GIS_KDE_OUTPUT_RAW;
    g_assert_true (gis_kde_run (&x, &y, NULL, 1, &params, &grid, &r, NULL, NULL, NULL, NULL));
    g_assert_cmpfloat_with_epsilon (r.values[15 * 31 + 21], 0.4096, 1e-14);
  }

  g_assert_cmpfloat_with_epsilon (gis_kde_kernel_value (GIS_KDE_KERNEL_TRIWEIGHT, 500, 1000) * 1e6,
                                  4 / G_PI * 0.421875, 1e-12);
  g_assert_cmpfloat_with_epsilon (gis_kde_kernel_value (GIS_KDE_KERNEL_TRIANGULAR, 250, 1000) * 1e6,
                                  3 / G_PI * 0.75, 1e-12);
  g_assert_cmpfloat (gis_kde_kernel_value (GIS_KDE_KERNEL_UNIFORM, 1000, 1000), ==, 0);
}

/* Five points (0,0) (4,0) (0,4) (4,4) (2,2): mean centre (2,2);
 *   SD = √((4 · 8 + 0) / 5) = √6.4 = 2.529822128134704
 *   distances to the centre 0, 2√2 ×4: Dm = 2√2 = 2.828427124746190,
 *   √(1/ln 2) · Dm = 3.397287201152076 > SD
 *   r = 0.9 · 2.529822128134704 · 5^−0.2 (0.724779663677696) = 1.650207268074476
 * With weights 1, 1, 1, 1, 4: Σw = 8, same centre, SD = √(32 / 8) = 2;
 *   the cumulative weight reaches 4 = half at d = 0: Dm = (0 + 2√2) / 2 = √2,
 *   √(1/ln 2) · √2 = 1.698643600576038 < SD
 *   r = 0.9 · 1.698643600576038 · 8^−0.2 (0.659753955386447) = 1.008618150844726 */
static void
test_silverman (void)
{
  static const double x[] = { 0, 4, 0, 4, 2 }, y[] = { 0, 0, 4, 4, 2 }, w[] = { 1, 1, 1, 1, 4 };
  g_autoptr(GError) error = NULL;
  double r = 0;

  g_assert_true (gis_kde_silverman_radius (x, y, NULL, 5, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (r, 1.650207268074476, 1e-12);
  g_assert_true (gis_kde_silverman_radius (x, y, w, 5, &r, &error));
  g_assert_cmpfloat_with_epsilon (r, 1.008618150844726, 1e-12);

  /* and it is the default radius */
  {
    GisKdeParams params = { 0 };
    g_auto(GisKdeResult) res = { 0 };

    g_assert_true (gis_kde_run (x, y, NULL, 5, &params, NULL, &res, NULL, NULL, NULL, &error));
    g_assert_cmpfloat_with_epsilon (res.radius_m, 1.650207268074476, 1e-12);
    /* the default grid holds every kernel: cells of 4 / 250 */
    g_assert_cmpfloat_with_epsilon (res.grid.cell_size_m, 0.016, 1e-15);
    g_assert_cmpfloat_with_epsilon (res.grid.x_min, -res.radius_m, 1e-12);
  }
}

static void
test_bad_parameters (void)
{
  static const double x[] = { 0, 10, 20 }, y[] = { 0, 10, 5 }, same[] = { 3, 3, 3 };
  const double nan_x[] = { 0, NAN, 1 }, bad_w[] = { 1, -1, 1 };
  GisKdeGrid grid = { -100, 100, 10, 20, 20 };
  GisKdeParams params = { GIS_KDE_KERNEL_QUARTIC, GIS_KDE_OUTPUT_DENSITY, GIS_KDE_METHOD_EXACT, 50, 0, 0 };
  g_auto(GisKdeResult) r = { 0 };
  GError *error = NULL;
  double radius;

#define EXPECT_INVALID(call)                                      \
  G_STMT_START {                                                  \
    g_assert_false (call);                                        \
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);   \
    g_clear_error (&error);                                       \
    g_assert_null (r.values);                                     \
  } G_STMT_END

  params.radius_m = -5;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  params.radius_m = NAN;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  params.radius_m = 50;
  grid.cell_size_m = 0;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  grid.cell_size_m = 10;
  grid.nx = 0;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  grid.nx = 1u << 20;
  grid.ny = 1u << 20;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  grid.nx = grid.ny = 20;
  EXPECT_INVALID (gis_kde_run (nan_x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  EXPECT_INVALID (gis_kde_run (x, y, bad_w, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  params.method = GIS_KDE_METHOD_FAST;
  params.subgrid = 4;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  params.subgrid = 1;
  params.kernel = 99;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));
  params.kernel = GIS_KDE_KERNEL_QUARTIC;
  params.radius_m = 1e6;
  grid.cell_size_m = 1;
  EXPECT_INVALID (gis_kde_run (x, y, NULL, 3, &params, &grid, &r, NULL, NULL, NULL, &error));

  /* no radius can be chosen for points at one place, or one point */
  params.radius_m = 0;
  EXPECT_INVALID (gis_kde_run (same, same, NULL, 3, &params, NULL, &r, NULL, NULL, NULL, &error));
  EXPECT_INVALID (gis_kde_silverman_radius (x, y, NULL, 1, &radius, &error));
  EXPECT_INVALID (gis_kde_grid_for_points (x, y, 0, 10, 0, &grid, &error));
  EXPECT_INVALID (gis_kde_grid_for_points (x, y, 3, 10, 1e-9, &grid, &error));
#undef EXPECT_INVALID
}

static void
test_kernel_names (void)
{
  for (guint k = 0; k < G_N_ELEMENTS (all_kernels); k++)
    {
      GisKdeKernel back;

      g_assert_true (gis_kde_kernel_from_string (gis_kde_kernel_to_string (all_kernels[k]), &back));
      g_assert_cmpint (back, ==, all_kernels[k]);
    }
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  static const double x[] = { 0 }, y[] = { 0 };
  GisKdeParams params = { GIS_KDE_KERNEL_QUARTIC, GIS_KDE_OUTPUT_DENSITY, GIS_KDE_METHOD_EXACT, 50, 0, 0 };
  g_auto(GisKdeResult) r = { 0 };
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (gis_kde_run (x, y, NULL, 1, &params, NULL, &r, cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r.values);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kde/integrates-to-n", test_integrates_to_n);
  g_test_add_func ("/kde/exact-vs-fast", test_exact_vs_fast);
  g_test_add_func ("/kde/single-point", test_single_point);
  g_test_add_func ("/kde/silverman", test_silverman);
  g_test_add_func ("/kde/bad-parameters", test_bad_parameters);
  g_test_add_func ("/kde/kernel-names", test_kernel_names);
  g_test_add_func ("/kde/cancel", test_cancel);

  return g_test_run ();
}
