/* test-spacetime.c: space-time Gi* against its definition, O(n²); calendar steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "gis.h"

/* 2015-01-01T00:00:00Z */
#define T2015 1420070400.0

/* Gi* of every space-time bin straight from DESIGN §6: all pairs of bins,
 * w = the spatial weight when 0 <= t_i − t_j <= K, else 0. */
static void
brute_spacetime (const GisSpaceTimeResult *r,
                 const GisSpaceTimeParams *params,
                 double                   *z,
                 guint                    *n_neighbours)
{
  guint L = r->n_locations, T = r->n_steps;
  gsize nb = (gsize) L * T;
  double sum = 0, ss = 0, mean, sd, d0 = r->idw_min_m;
  double power = params->power > 0 ? params->power : 1;

  for (gsize b = 0; b < nb; b++)
    sum += r->value[b];
  mean = sum / nb;
  for (gsize b = 0; b < nb; b++)
    ss += (r->value[b] - mean) * (r->value[b] - mean);
  sd = sqrt (ss / nb);

  for (guint i = 0; i < L; i++)
    {
      g_autofree guint *order = g_new (guint, L);
      g_autofree double *dist = g_new (double, L);
      g_autofree double *ws = g_new0 (double, L);   /* spatial weights of i */

      for (guint j = 0; j < L; j++)
        dist[j] = hypot (r->cells.x[j] - r->cells.x[i], r->cells.y[j] - r->cells.y[i]);
      ws[i] = 1;
      if (params->weights == GIS_GISTAR_WEIGHTS_KNN)
        {
          /* selection by distance, then index */
          guint m = 0;

          for (guint j = 0; j < L; j++)
            if (j != i)
              order[m++] = j;
          for (guint a = 0; a < params->k; a++)
            {
              guint best = a;

              for (guint c = a + 1; c < m; c++)
                if (dist[order[c]] < dist[order[best]] ||
                    (dist[order[c]] == dist[order[best]] && order[c] < order[best]))
                  best = c;
              {
                guint tmp = order[a];

                order[a] = order[best];
                order[best] = tmp;
              }
              ws[order[a]] = 1;
            }
        }
      else
        for (guint j = 0; j < L; j++)
          if (j != i && dist[j] <= params->band_m * (1 + 1e-9))
            ws[j] = params->weights == GIS_GISTAR_WEIGHTS_BAND ? 1 : pow (d0 / MAX (dist[j], d0), power);

      for (guint ti = 0; ti < T; ti++)
        {
          double lag = 0, W = 0, S1 = 0;
          guint count = 0;

          for (guint j = 0; j < L; j++)
            for (guint tj = 0; tj < T; tj++)
              {
                double w = (tj <= ti && ti - tj <= params->n_previous) ? ws[j] : 0;

                if (w == 0)
                  continue;
                lag += w * r->value[(gsize) j * T + tj];
                W += w;
                S1 += w * w;
                count++;
              }
          z[(gsize) i * T + ti] = (lag - mean * W) / (sd * sqrt ((nb * S1 - W * W) / (nb - 1)));
          n_neighbours[(gsize) i * T + ti] = count;
        }
    }
}

static void
random_points (GRand   *rand,
               guint    n,
               double  *x,
               double  *y,
               double  *w,
               double  *t)
{
  for (guint i = 0; i < n; i++)
    {
      /* a cluster in one corner late in the period, else uniform */
      gboolean hot = g_rand_double (rand) < 0.2;

      x[i] = hot ? g_rand_double_range (rand, 0, 20000) : g_rand_double_range (rand, 0, 100000);
      y[i] = hot ? g_rand_double_range (rand, 0, 20000) : g_rand_double_range (rand, -30000, 70000);
      w[i] = g_rand_int_range (rand, 1, 6);
      t[i] = T2015 + (hot ? g_rand_double_range (rand, 0.6, 1) : g_rand_double (rand)) * 3 * 365.25 * 86400;
    }
}

typedef struct
{
  const char       *name;
  GisBinShape       shape;
  GisTimeStep       step;
  GisGiStarWeights  weights;
  double            band_m;
  guint             k;
  guint             n_previous;
  gboolean          weighted;
} Case;

static const Case cases[] = {
  { "square-quarter-band-k1", GIS_BIN_SQUARE, GIS_TIME_STEP_QUARTER, GIS_GISTAR_WEIGHTS_BAND, 25000, 0, 1, FALSE },
  { "hex-year-band-k0", GIS_BIN_HEXAGON, GIS_TIME_STEP_YEAR, GIS_GISTAR_WEIGHTS_BAND, 21000, 0, 0, TRUE },
  { "square-month-band-k3", GIS_BIN_SQUARE, GIS_TIME_STEP_MONTH, GIS_GISTAR_WEIGHTS_BAND, 30000, 0, 3, FALSE },
  { "square-quarter-knn-k2", GIS_BIN_SQUARE, GIS_TIME_STEP_QUARTER, GIS_GISTAR_WEIGHTS_KNN, 0, 5, 2, TRUE },
  { "hex-quarter-idw-k1", GIS_BIN_HEXAGON, GIS_TIME_STEP_QUARTER, GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE, 35000, 0, 1,
    FALSE },
};

/* The space-time Gi* of 400 random points equals the O(n²) sum over
 * every pair of bins, to 1e-12. */
static void
test_brute_force (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  guint n = 400;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree double *w = g_new (double, n);
  g_autofree double *t = g_new (double, n);
  g_autofree double *z = NULL;
  g_autofree guint *nn = NULL;
  g_auto(GisSpaceTimeResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  GisSpaceTimeParams params;
  double worst = 0, total = 0;
  gsize nb;
  guint hot_bins = 0;

  random_points (rand, n, x, y, w, t);
  gis_spacetime_params_init (&params);
  g_assert_cmpuint (params.n_previous, ==, GIS_SPACETIME_DEFAULT_PREVIOUS);
  params.shape = c->shape;
  params.cell_size_m = 10000;
  params.step = c->step;
  params.weights = c->weights;
  params.band_m = c->band_m;
  params.k = c->k;
  params.n_previous = c->n_previous;
  params.n_threads = 2;
  g_assert_true (gis_spacetime_run (x, y, c->weighted ? w : NULL, t, n, &params, &r, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  nb = (gsize) r.n_locations * r.n_steps;
  g_assert_cmpuint (r.n_locations, ==, r.cells.n);
  for (gsize b = 0; b < nb; b++)
    total += r.value[b];
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (r.point_step[i], <, r.n_steps);
      g_assert_cmpint (r.step_start_s[r.point_step[i]], <=, (gint64) floor (t[i]));
      g_assert_cmpint ((gint64) floor (t[i]), <, r.step_start_s[r.point_step[i] + 1]);
    }
  {
    double expected = 0;

    for (guint i = 0; i < n; i++)
      expected += c->weighted ? w[i] : 1;
    g_assert_cmpfloat_with_epsilon (total, expected, 1e-9);
  }

  z = g_new (double, nb);
  nn = g_new (guint, nb);
  brute_spacetime (&r, &params, z, nn);
  for (gsize b = 0; b < nb; b++)
    {
      double tol = 1e-12 * MAX (1, fabs (z[b]));

      worst = MAX (worst, fabs (r.z[b] - z[b]));
      if (fabs (r.z[b] - z[b]) > tol)
        g_error ("%s: bin %zu (location %zu, step %zu): z %.17g, by definition %.17g", c->name, b,
                 b / r.n_steps, b % r.n_steps, r.z[b], z[b]);
      g_assert_cmpuint (r.n_neighbours[b], ==, nn[b]);
      g_assert_cmpfloat_with_epsilon (r.p[b], erfc (fabs (z[b]) / sqrt (2)), 1e-12);
      hot_bins += r.bin[b] > 0;
    }
  /* FDR within each step: the bins of a step are gis_gistar_fdr_bins of its z and p */
  for (guint s = 0; s < r.n_steps; s++)
    {
      g_autofree double *zs = g_new (double, r.n_locations);
      g_autofree double *ps = g_new (double, r.n_locations);
      g_autofree gint8 *bs = g_new (gint8, r.n_locations);

      for (guint l = 0; l < r.n_locations; l++)
        {
          zs[l] = r.z[(gsize) l * r.n_steps + s];
          ps[l] = r.p[(gsize) l * r.n_steps + s];
        }
      gis_gistar_fdr_bins (zs, ps, r.n_locations, bs, NULL);
      for (guint l = 0; l < r.n_locations; l++)
        g_assert_cmpint (bs[l], ==, r.bin[(gsize) l * r.n_steps + s]);
    }
  /* the trend and the category follow from the series */
  for (guint l = 0; l < r.n_locations; l++)
    {
      GisMannKendall mk;

      gis_mann_kendall (r.z + (gsize) l * r.n_steps, r.n_steps, &mk);
      g_assert_cmpfloat (mk.z, ==, r.trend[l].z);
      g_assert_cmpint (r.category[l], ==,
                       gis_emerging_classify (r.bin + (gsize) l * r.n_steps, r.n_steps, &mk, 0.05));
    }
  g_test_message ("%s: %u locations × %u steps, largest |z − definition| %.3g, %u hot bins",
                  c->name, r.n_locations, r.n_steps, worst, hot_bins);
  g_assert_cmpuint (hot_bins, >, 0);
}

/* step numbers and starts against GDateTime */
static void
test_calendar (void)
{
  struct { const char *iso; GisTimeStep step; gint64 number; const char *start; } rows[] = {
    { "2015-01-01T00:00:00Z", GIS_TIME_STEP_MONTH, 2015 * 12, "2015-01-01T00:00:00Z" },
    { "2015-03-31T23:59:59Z", GIS_TIME_STEP_MONTH, 2015 * 12 + 2, "2015-03-01T00:00:00Z" },
    { "2016-02-29T12:00:00Z", GIS_TIME_STEP_MONTH, 2016 * 12 + 1, "2016-02-01T00:00:00Z" },
    { "2016-02-29T12:00:00Z", GIS_TIME_STEP_QUARTER, 2016 * 4, "2016-01-01T00:00:00Z" },
    { "2025-12-31T23:59:59Z", GIS_TIME_STEP_QUARTER, 2025 * 4 + 3, "2025-10-01T00:00:00Z" },
    { "2025-07-01T00:00:00Z", GIS_TIME_STEP_QUARTER, 2025 * 4 + 2, "2025-07-01T00:00:00Z" },
    { "2022-06-15T00:00:00Z", GIS_TIME_STEP_YEAR, 2022, "2022-01-01T00:00:00Z" },
    { "1969-12-31T23:59:59Z", GIS_TIME_STEP_MONTH, 1969 * 12 + 11, "1969-12-01T00:00:00Z" },
    { "1900-03-01T00:00:00Z", GIS_TIME_STEP_YEAR, 1900, "1900-01-01T00:00:00Z" },
  };
  GisTimeStep step;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (rows[i].iso, NULL);
      g_autoptr(GDateTime) st = g_date_time_new_from_iso8601 (rows[i].start, NULL);
      gint64 number = gis_time_step_of (rows[i].step, (double) g_date_time_to_unix (dt));

      g_assert_cmpint (number, ==, rows[i].number);
      g_assert_cmpint (gis_time_step_start (rows[i].step, number), ==, g_date_time_to_unix (st));
    }
  g_assert_true (gis_time_step_from_string ("quarter", &step));
  g_assert_cmpint (step, ==, GIS_TIME_STEP_QUARTER);
  g_assert_cmpstr (gis_time_step_to_string (GIS_TIME_STEP_YEAR), ==, "year");
  g_assert_false (gis_time_step_from_string ("week", &step));
}

/* Without dates, or with a NaN date, nothing runs */
static void
test_errors (void)
{
  double x[4] = { 0, 10000, 20000, 30000 }, y[4] = { 0, 0, 0, 0 };
  double t[4] = { T2015, T2015, NAN, T2015 };
  g_auto(GisSpaceTimeResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  GisSpaceTimeParams params;

  gis_spacetime_params_init (&params);
  params.cell_size_m = 5000;
  params.band_m = 15000;
  g_assert_false (gis_spacetime_run (x, y, NULL, NULL, 4, &params, &r, NULL, NULL, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (gis_spacetime_run (x, y, NULL, t, 4, &params, &r, NULL, NULL, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_assert_null (r.z);
  g_clear_error (&error);
  params.band_m = 0;
  t[2] = T2015;
  g_assert_false (gis_spacetime_run (x, y, NULL, t, 4, &params, &r, NULL, NULL, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
}

/* A cancelled run returns the error and leaves nothing allocated */
static void
test_cancel (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint n = 2000;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree double *w = g_new (double, n);
  g_autofree double *t = g_new (double, n);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(GisSpaceTimeResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  GisSpaceTimeParams params;

  random_points (rand, n, x, y, w, t);
  gis_spacetime_params_init (&params);
  params.cell_size_m = 2000;
  params.band_m = 6000;
  g_cancellable_cancel (cancellable);
  g_assert_false (gis_spacetime_run (x, y, NULL, t, n, &params, &r, cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r.z);
  g_assert_cmpuint (r.n_locations, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/spacetime/brute-force/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_brute_force);
    }
  g_test_add_func ("/spacetime/calendar", test_calendar);
  g_test_add_func ("/spacetime/errors", test_errors);
  g_test_add_func ("/spacetime/cancel", test_cancel);
  return g_test_run ();
}
