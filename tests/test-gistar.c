/* test-gistar.c: Gi* against R spdep and brute force, FDR by hand, bins, scale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "gis.h"

typedef struct
{
  GArray *x, *y, *value, *z;   /* double */
  GArray *n_neighbours;        /* guint */
  double  band;
} Fixture;

static void
fixture_clear (Fixture *f)
{
  g_array_unref (f->x);
  g_array_unref (f->y);
  g_array_unref (f->value);
  g_array_unref (f->z);
  g_array_unref (f->n_neighbours);
}

static char *
fixture_path (const char *name)
{
  const char *src = g_getenv ("ATALAYA_SOURCE_DIR");

  if (src != NULL)
    return g_build_filename (src, "tests", "fixtures", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

/* reads the rows of one set of tests/fixtures/gistar-spdep.csv (made by gistar-spdep.R) */
static void
fixture_load (Fixture    *f,
              const char *set)
{
  g_autofree char *path = fixture_path ("gistar-spdep.csv");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  f->x = g_array_new (FALSE, FALSE, sizeof (double));
  f->y = g_array_new (FALSE, FALSE, sizeof (double));
  f->value = g_array_new (FALSE, FALSE, sizeof (double));
  f->z = g_array_new (FALSE, FALSE, sizeof (double));
  f->n_neighbours = g_array_new (FALSE, FALSE, sizeof (guint));
  f->band = 0;
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "set,x,y,value,band,z,n_neighbours");
  for (guint l = 1; lines[l] != NULL; l++)
    {
      g_auto(GStrv) f7 = g_strsplit (lines[l], ",", -1);
      double v;
      guint nn;

      if (g_strv_length (f7) != 7 || g_strcmp0 (f7[0], set) != 0)
        continue;
      v = g_ascii_strtod (f7[1], NULL);
      g_array_append_val (f->x, v);
      v = g_ascii_strtod (f7[2], NULL);
      g_array_append_val (f->y, v);
      v = g_ascii_strtod (f7[3], NULL);
      g_array_append_val (f->value, v);
      f->band = g_ascii_strtod (f7[4], NULL);
      v = g_ascii_strtod (f7[5], NULL);
      g_array_append_val (f->z, v);
      nn = (guint) g_ascii_strtoull (f7[6], NULL, 10);
      g_array_append_val (f->n_neighbours, nn);
    }
}

#define D(a, i) g_array_index ((a), double, (i))

/* spdep::localG on include.self(dnearneigh(coords, 0, band)), binary
 * weights: the 20 × 15 lattice (band 2.5 km) and 250 scattered points
 * (band 4.2 km) of gistar-spdep.R.  Same z to 1e-9, same neighbour counts. */
static void
test_spdep (gconstpointer data)
{
  const char *set = data;
  Fixture f;
  GisGiStarParams params = { GIS_GISTAR_WEIGHTS_BAND, 0, 0, 0, 0, 0 };
  g_auto(GisGiStarResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  double worst = 0;

  fixture_load (&f, set);
  g_assert_cmpuint (f.x->len, >=, 250);
  params.band_m = f.band;
  g_assert_true (gis_gistar_run ((double *) (gpointer) f.x->data, (double *) (gpointer) f.y->data,
                                 (double *) (gpointer) f.value->data, f.x->len, &params, &r,
                                 NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < f.x->len; i++)
    {
      worst = MAX (worst, fabs (r.z[i] - D (f.z, i)));
      g_assert_cmpfloat_with_epsilon (r.z[i], D (f.z, i), 1e-9);
      g_assert_cmpuint (r.n_neighbours[i], ==, g_array_index (f.n_neighbours, guint, i));
      g_assert_cmpfloat_with_epsilon (r.p[i], erfc (fabs (D (f.z, i)) / sqrt (2)), 1e-12);
    }
  g_test_message ("%s: %u locations, largest |z - spdep z| %.3g", set, f.x->len, worst);
  fixture_clear (&f);
}

/* Gi* by its definition, O(n²), for any weights */
static void
brute_gistar (const double           *x,
              const double           *y,
              const double           *v,
              guint                   n,
              const GisGiStarParams  *params,
              double                  d0,
              double                 *z)
{
  double mean = 0, ss = 0, sd;

  for (guint i = 0; i < n; i++)
    mean += v[i];
  mean /= n;
  for (guint i = 0; i < n; i++)
    ss += (v[i] - mean) * (v[i] - mean);
  sd = sqrt (ss / n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree double *w = g_new0 (double, n);
      double W = 0, S1 = 0, L = 0;

      if (params->weights == GIS_GISTAR_WEIGHTS_KNN)
        {
          /* the k smallest (distance, index) by selection */
          g_autofree gboolean *taken = g_new0 (gboolean, n);

          w[i] = 1;
          taken[i] = TRUE;
          for (guint k = 0; k < params->k; k++)
            {
              guint best = G_MAXUINT;
              double bd = INFINITY;

              for (guint j = 0; j < n; j++)
                {
                  double d = hypot (x[j] - x[i], y[j] - y[i]);

                  if (!taken[j] && d < bd)
                    {
                      bd = d;
                      best = j;
                    }
                }
              taken[best] = TRUE;
              w[best] = 1;
            }
        }
      else
        for (guint j = 0; j < n; j++)
          {
            double d = hypot (x[j] - x[i], y[j] - y[i]);

            if (j == i)
              w[j] = 1;
            else if (d <= params->band_m)
              w[j] = params->weights == GIS_GISTAR_WEIGHTS_BAND ? 1 : pow (d0 / MAX (d, d0), params->power);
          }
      for (guint j = 0; j < n; j++)
        {
          W += w[j];
          S1 += w[j] * w[j];
          L += w[j] * v[j];
        }
      z[i] = (L - mean * W) / (sd * sqrt ((n * S1 - W * W) / (n - 1)));
    }
}

static void
test_brute_force (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  const guint n = 400;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree double *v = g_new (double, n);
  g_autofree double *z = g_new (double, n);
  GisGiStarParams cases[] = {
    { GIS_GISTAR_WEIGHTS_KNN, 0, 8, 0, 0, 0 },
    { GIS_GISTAR_WEIGHTS_KNN, 0, 1, 0, 0, 1 },
    { GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE, 6000, 0, 1, 500, 0 },
    { GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE, 9000, 0, 2, 0, 0 },
    { GIS_GISTAR_WEIGHTS_BAND, 3000, 0, 0, 0, 0 },
  };

  /* clustered and spread locations, values higher in one corner */
  for (guint i = 0; i < n; i++)
    {
      if (i % 2 == 0)
        {
          x[i] = 20000 + g_rand_double (rand) * 5000;
          y[i] = 30000 + g_rand_double (rand) * 5000;
        }
      else
        {
          x[i] = g_rand_double (rand) * 50000;
          y[i] = g_rand_double (rand) * 50000;
        }
      v[i] = g_rand_int_range (rand, 0, 5) + (x[i] > 25000 && y[i] > 25000 ? 4 : 0);
    }

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_auto(GisGiStarResult) r = { 0 };
      g_autoptr(GError) error = NULL;
      double worst = 0;

      g_assert_true (gis_gistar_run (x, y, v, n, &cases[c], &r, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      brute_gistar (x, y, v, n, &cases[c], r.idw_min_m, z);
      for (guint i = 0; i < n; i++)
        {
          worst = MAX (worst, fabs (r.z[i] - z[i]));
          g_assert_cmpfloat_with_epsilon (r.z[i], z[i], 1e-9);
        }
      if (cases[c].weights == GIS_GISTAR_WEIGHTS_KNN)
        for (guint i = 0; i < n; i++)
          g_assert_cmpuint (r.n_neighbours[i], ==, cases[c].k + 1);
      g_test_message ("weights %d (k %u, band %.0f): largest |z - brute force| %.3g",
                      cases[c].weights, cases[c].k, cases[c].band_m, worst);
    }

  /* the default d0 of inverse distance is the mean nearest-neighbour distance */
  {
    g_auto(GisGiStarResult) r = { 0 };
    double sum = 0;

    g_assert_true (gis_gistar_run (x, y, v, n, &cases[3], &r, NULL, NULL, NULL, NULL));
    for (guint i = 0; i < n; i++)
      {
        double best = INFINITY;

        for (guint j = 0; j < n; j++)
          if (j != i)
            best = MIN (best, hypot (x[j] - x[i], y[j] - y[i]));
        sum += best;
      }
    g_assert_cmpfloat_with_epsilon (r.idw_min_m, sum / n, 1e-6);
  }
}

/* Benjamini-Hochberg by hand.  m = 10 finite p-values (an 11th is NaN and
 * left out), sorted: 0.001 0.004 0.012 0.045 0.048 0.060 0.080 0.20 0.50 0.90.
 *   α = 0.10, α k/m = 0.01 k: p(6) = 0.060 <= 0.060 (k = 7..10 fail:
 *     0.080 > 0.07, ...) so the threshold is 0.060; p(4) = 0.045 > 0.04 is
 *     still in, as the step-up keeps everything below p(6).
 *   α = 0.05, 0.005 k: p(3) = 0.012 <= 0.015; p(4) 0.045 > 0.020, p(5)
 *     0.048 > 0.025, p(6) 0.060 > 0.030, ... fail: threshold 0.012.
 *   α = 0.01, 0.001 k: p(1) = 0.001 <= 0.001; p(2) 0.004 > 0.002, ... :
 *     threshold 0.001.
 * Bins: 0.001 -> 3; 0.004, 0.012 -> 2; 0.045, 0.048, 0.060 -> 1; the rest 0;
 * signed as z. */
static void
test_fdr (void)
{
  static const double p[] = { 0.048, 0.50, 0.001, 0.080, 0.012, NAN, 0.90, 0.004, 0.060, 0.20, 0.045 };
  static const double z[] = { -1.98, 0.67, 3.29, 1.75, -2.51, 0.0, 0.13, 2.88, 1.88, -1.28, -2.00 };
  static const gint8 expected[] = { -1, 0, 3, 0, -2, 0, 0, 2, 1, 0, -1 };
  gint8 bins[G_N_ELEMENTS (p)];
  double thr[3];

  gis_gistar_fdr_bins (z, p, G_N_ELEMENTS (p), bins, thr);
  for (guint i = 0; i < G_N_ELEMENTS (p); i++)
    g_assert_cmpint (bins[i], ==, expected[i]);
  g_assert_cmpfloat (thr[0], ==, 0.060);
  g_assert_cmpfloat (thr[1], ==, 0.012);
  g_assert_cmpfloat (thr[2], ==, 0.001);

  /* nothing significant */
  {
    static const double p2[] = { 0.5, 0.6, 0.07 }, z2[] = { 1, 1, 1 };
    gint8 b2[3];

    gis_gistar_fdr_bins (z2, p2, 3, b2, thr);
    g_assert_cmpint (b2[0] | b2[1] | b2[2], ==, 0);
    g_assert_cmpfloat (thr[0], ==, -1);
  }
}

/* Every point in the bin whose centre is nearest (for hexagons, the
 * hexagon is the Voronoi cell of its centre), counts and weights summed. */
static void
test_bins (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  const guint n = 5000;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree double *w = g_new (double, n);
  const double c = 1300;

  for (guint i = 0; i < n; i++)
    {
      x[i] = -20000 + g_rand_double (rand) * 37000;
      y[i] = 15000 + g_rand_double (rand) * 21000;
      w[i] = g_rand_int_range (rand, 1, 4);
    }
  for (guint shape = GIS_BIN_SQUARE; shape <= GIS_BIN_HEXAGON; shape++)
    for (guint keep = 0; keep < 2; keep++)
      {
        g_auto(GisBins) b = { 0 };
        g_autoptr(GError) error = NULL;
        g_autofree double *sum = NULL;
        guint total = 0;

        g_assert_true (gis_bins_from_points (shape, c, x, y, w, n, keep, &b, &error));
        g_assert_no_error (error);
        sum = g_new0 (double, b.n);
        for (guint i = 0; i < n; i++)
          {
            guint bin = b.point_bin[i];
            double d = hypot (x[i] - b.x[bin], y[i] - b.y[bin]);

            g_assert_cmpuint (bin, <, b.n);
            sum[bin] += w[i];
            if (shape == GIS_BIN_SQUARE)
              {
                g_assert_cmpfloat (fabs (x[i] - b.x[bin]), <=, c / 2 * (1 + 1e-12));
                g_assert_cmpfloat (fabs (y[i] - b.y[bin]), <=, c / 2 * (1 + 1e-12));
              }
            else
              /* no other centre of the lattice is nearer: check the six around */
              for (int k = 0; k < 6; k++)
                {
                  double ox = b.x[bin] + c * cos (k * G_PI / 3), oy = b.y[bin] + c * sin (k * G_PI / 3);

                  g_assert_cmpfloat (d, <=, hypot (x[i] - ox, y[i] - oy) * (1 + 1e-9));
                }
          }
        for (guint k = 0; k < b.n; k++)
          {
            g_assert_cmpfloat (sum[k], ==, b.value[k]);
            total += b.count[k];
            if (!keep)
              g_assert_cmpuint (b.count[k], >, 0);
            if (k > 0)   /* ordered by row, then column */
              g_assert_true (b.row[k] > b.row[k - 1] || (b.row[k] == b.row[k - 1] && b.x[k] > b.x[k - 1]));
          }
        g_assert_cmpuint (total, ==, n);
        if (shape == GIS_BIN_SQUARE && keep)
          g_assert_cmpuint (b.n, ==, (guint) ((floor (17000 / c) - floor (-20000 / c) + 1) *
                                              (floor (36000 / c) - floor (15000 / c) + 1)) );
      }
  g_assert_cmpfloat_with_epsilon (gis_bins_area_m2 (GIS_BIN_HEXAGON, 2), 2 * sqrt (3), 1e-12);
}

/* Moran's I and its z (randomisation) by brute force for binary band weights */
static void
brute_moran (const double *x,
             const double *y,
             const double *v,
             guint         n,
             double        band,
             double       *out_i,
             double       *out_z)
{
  double mean = 0, m2 = 0, m4 = 0, s0 = 0, s2 = 0, cross = 0, nd = n, ei, b2, var;

  for (guint i = 0; i < n; i++)
    mean += v[i];
  mean /= n;
  for (guint i = 0; i < n; i++)
    {
      double d = v[i] - mean, deg = 0;

      m2 += d * d;
      m4 += d * d * d * d;
      for (guint j = 0; j < n; j++)
        if (j != i && hypot (x[j] - x[i], y[j] - y[i]) <= band * (1 + 1e-9))
          {
            deg += 1;
            cross += d * (v[j] - mean);
          }
      s0 += deg;
      s2 += 4 * deg * deg;
    }
  *out_i = nd / s0 * cross / m2;
  ei = -1 / (nd - 1);
  b2 = nd * m4 / (m2 * m2);
  var = (nd * ((nd * nd - 3 * nd + 3) * 2 * s0 - nd * s2 + 3 * s0 * s0) -
         b2 * ((nd * nd - nd) * 2 * s0 - 2 * nd * s2 + 6 * s0 * s0)) /
        ((nd - 1) * (nd - 2) * (nd - 3) * s0 * s0) - ei * ei;
  *out_z = (*out_i - ei) / sqrt (var);
}

static void
test_auto_scale (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  const guint side = 30, n = side * side;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree double *v = g_new (double, n);
  g_autofree double *noise = g_new (double, n);

  /* blobs of about 4 km on a 1 km lattice */
  for (guint i = 0; i < n; i++)
    {
      guint col = i % side, row = i / side;
      double bx = (col % 10) - 4.5, by = (row % 10) - 4.5;

      x[i] = (col + 0.5) * 1000;
      y[i] = (row + 0.5) * 1000;
      v[i] = g_rand_int_range (rand, 0, 3) + 10 * exp (-(bx * bx + by * by) / 6) * ((col / 10 + row / 10) % 2);
      noise[i] = g_rand_int_range (rand, 0, 5);
    }

  {
    g_auto(GisGiStarScale) s = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true (gis_gistar_auto_scale (x, y, v, n, NULL, &s, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (s.n_bands, ==, 10);
    /* bands from the nearest-neighbour distance, 1 km, by 1 km */
    for (guint b = 0; b < s.n_bands; b++)
      {
        double bi, bz;

        g_assert_cmpfloat_with_epsilon (s.bands_m[b], 1000.0 * (b + 1), 1e-6);
        brute_moran (x, y, v, n, s.bands_m[b], &bi, &bz);
        g_assert_cmpfloat_with_epsilon (s.moran_i[b], bi, 1e-9);
        g_assert_cmpfloat_with_epsilon (s.moran_z[b], bz, 1e-7);
      }
    g_assert_true (s.method == GIS_GISTAR_SCALE_PEAK || s.method == GIS_GISTAR_SCALE_MAXIMUM);
    g_assert_cmpfloat (s.band_m, >=, 2000);
    g_assert_cmpfloat (s.band_m, <=, 8000);
    g_assert_nonnull (s.reason);
    g_test_message ("blobs: %s", s.reason);
  }

  /* noise on few locations: nothing significant, the k-th neighbour */
  {
    g_auto(GisGiStarScale) s = { 0 };
    GisGiStarScaleParams params = { 4, 1000, 1000 };
    static const double nx[] = { 0, 1000, 2000, 0, 1000, 2000, 0, 1000, 2000 };
    static const double ny[] = { 0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000 };
    static const double nv[] = { 1, 5, 2, 4, 3, 1, 2, 5, 3 };
    double sd = 0;

    g_assert_true (gis_gistar_auto_scale (nx, ny, nv, 9, &params, &s, NULL, NULL));
    g_assert_cmpint (s.method, ==, GIS_GISTAR_SCALE_NEIGHBOURS);
    /* k = 5 % of 9 -> 3; the mean distance to the 3rd neighbour: corners √2 km
     * (4), edges 1 km (4: three neighbours at 1 km), the centre 1 km: (4 √2 + 5) / 9 km */
    g_assert_cmpuint (s.k, ==, 3);
    g_assert_cmpfloat_with_epsilon (s.kth_distance_m, (4 * sqrt (2) + 5) / 9 * 1000, 1e-6);
    for (guint i = 0; i < 9; i++)
      sd += (nx[i] - 1000) * (nx[i] - 1000) + (ny[i] - 1000) * (ny[i] - 1000);
    g_assert_cmpfloat_with_epsilon (s.standard_distance_m, sqrt (sd / 9), 1e-9);
    g_assert_cmpfloat_with_epsilon (s.band_m, MIN (s.kth_distance_m, s.standard_distance_m), 1e-9);
    g_test_message ("noise: %s", s.reason);
  }
}

/* mean distance between nearest distinct points, with a floor */
static void
test_auto_cell_size (void)
{
  static const double x1[] = { 0, 1000, 0, 1000, 0 }, y1[] = { 0, 0, 1000, 1000, 0 };
  static const double x2[] = { 0, 1, 1e6, 1e6 + 1 }, y2[] = { 0, 0, 0, 0 };
  g_autofree char *reason = NULL;
  double cell;

  g_assert_true (gis_gistar_auto_cell_size (x1, y1, 5, &cell, &reason, NULL));
  g_assert_cmpfloat_with_epsilon (cell, 1000, 1e-9);
  g_clear_pointer (&reason, g_free);
  g_assert_true (gis_gistar_auto_cell_size (x2, y2, 4, &cell, &reason, NULL));
  g_assert_cmpfloat_with_epsilon (cell, 1000.001, 1e-9);
  g_assert_nonnull (strstr (reason, "0.1 %"));
}

static void
test_bad_parameters (void)
{
  static const double x[] = { 0, 1, 2, 3 }, y[] = { 0, 1, 0, 1 }, v[] = { 1, 2, 3, 4 };
  const double bad[] = { 0, NAN, 2, 3 };
  GisGiStarParams params = { GIS_GISTAR_WEIGHTS_BAND, -1, 0, 0, 0, 0 };
  g_auto(GisGiStarResult) r = { 0 };
  g_auto(GisBins) b = { 0 };
  GError *error = NULL;
  double cell;

#define EXPECT_INVALID(call)                                      \
  G_STMT_START {                                                  \
    g_assert_false (call);                                        \
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);   \
    g_clear_error (&error);                                       \
  } G_STMT_END

  EXPECT_INVALID (gis_gistar_run (x, y, v, 4, &params, &r, NULL, NULL, NULL, &error));
  params.band_m = 2;
  EXPECT_INVALID (gis_gistar_run (x, y, v, 2, &params, &r, NULL, NULL, NULL, &error));
  EXPECT_INVALID (gis_gistar_run (x, y, bad, 4, &params, &r, NULL, NULL, NULL, &error));
  params.weights = GIS_GISTAR_WEIGHTS_KNN;
  params.k = 4;
  EXPECT_INVALID (gis_gistar_run (x, y, v, 4, &params, &r, NULL, NULL, NULL, &error));
  params.weights = 7;
  EXPECT_INVALID (gis_gistar_run (x, y, v, 4, &params, &r, NULL, NULL, NULL, &error));
  g_assert_null (r.z);
  EXPECT_INVALID (gis_bins_from_points (GIS_BIN_SQUARE, 0, x, y, NULL, 4, FALSE, &b, &error));
  EXPECT_INVALID (gis_bins_from_points (GIS_BIN_HEXAGON, 1e-9, x, y, NULL, 4, TRUE, &b, &error));
  EXPECT_INVALID (gis_gistar_auto_cell_size (x, x, 1, &cell, NULL, &error));
#undef EXPECT_INVALID
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/gistar/spdep/lattice", "lattice", test_spdep);
  g_test_add_data_func ("/gistar/spdep/scatter", "scatter", test_spdep);
  g_test_add_func ("/gistar/brute-force", test_brute_force);
  g_test_add_func ("/gistar/fdr", test_fdr);
  g_test_add_func ("/gistar/bins", test_bins);
  g_test_add_func ("/gistar/auto-scale", test_auto_scale);
  g_test_add_func ("/gistar/auto-cell-size", test_auto_cell_size);
  g_test_add_func ("/gistar/bad-parameters", test_bad_parameters);

  return g_test_run ();
}
