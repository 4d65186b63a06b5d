/* test-dbscan.c: DBSCAN against R's dbscan package and a literal
 * transcription of its algorithm; ST-DBSCAN against the same transcription
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "gis.h"

static char *
fixture_path (const char *name)
{
  const char *src = g_getenv ("ATALAYA_SOURCE_DIR");

  if (src != NULL)
    return g_build_filename (src, "tests", "fixtures", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

/* R dbscan 1.1-11's loop (src/dbscan.cpp), brute force: points in index
 * order; an unvisited core point starts a cluster, grown from a stack of
 * neighbour lists, each point taken by the first cluster to reach it.
 * @t: (nullable): times, for ST-DBSCAN's joint neighbourhood. */
static void
brute_dbscan (const double *x,
              const double *y,
              const double *t,
              guint         n,
              double        eps,
              double        eps_t,
              guint         min_pts,
              gboolean      borders,
              gint32       *cluster)
{
  g_autofree gboolean *visited = g_new0 (gboolean, n);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) nb = g_array_new (FALSE, FALSE, sizeof (guint));
  gint32 next = 0;

#define REGION(i)                                                                   \
  G_STMT_START {                                                                    \
    g_array_set_size (nb, 0);                                                       \
    for (guint j_ = 0; j_ < n; j_++)                                                \
      {                                                                             \
        double dx_ = x[j_] - x[i], dy_ = y[j_] - y[i];                              \
        if (dx_ * dx_ + dy_ * dy_ <= eps * eps && (t == NULL || fabs (t[j_] - t[i]) <= eps_t)) \
          g_array_append_val (nb, j_);                                              \
      }                                                                             \
  } G_STMT_END

  for (guint i = 0; i < n; i++)
    cluster[i] = 0;
  for (guint i = 0; i < n; i++)
    {
      if (visited[i])
        continue;
      REGION (i);
      if (nb->len < min_pts)
        continue;
      next++;
      visited[i] = TRUE;
      cluster[i] = next;
      g_array_set_size (stack, 0);
      g_array_append_vals (stack, nb->data, nb->len);
      while (stack->len > 0)
        {
          guint j = g_array_index (stack, guint, stack->len - 1);

          g_array_set_size (stack, stack->len - 1);
          if (visited[j])
            continue;
          visited[j] = TRUE;
          REGION (j);
          if (nb->len >= min_pts)
            g_array_append_vals (stack, nb->data, nb->len);
          if (borders || nb->len >= min_pts)
            cluster[j] = next;
        }
    }
#undef REGION
}

/* 600 points of dbscan-r.R: the cluster ids R gives, run by run */
static void
test_r_fixture (void)
{
  static const struct { double eps; guint min_pts; gboolean borders; } runs[] = {
    { 1000, 5, TRUE }, { 600, 4, TRUE }, { 1000, 5, FALSE },
  };
  g_autofree char *path = fixture_path ("dbscan-r.csv");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) x = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) y = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *ref[3] = { NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "x,y,a,b,c");
  for (guint r = 0; r < 3; r++)
    ref[r] = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint l = 1; lines[l] != NULL && lines[l][0] != '\0'; l++)
    {
      g_auto(GStrv) f = g_strsplit (lines[l], ",", -1);
      double v;

      g_assert_cmpuint (g_strv_length (f), ==, 5);
      v = g_ascii_strtod (f[0], NULL);
      g_array_append_val (x, v);
      v = g_ascii_strtod (f[1], NULL);
      g_array_append_val (y, v);
      for (guint r = 0; r < 3; r++)
        {
          gint32 c = (gint32) g_ascii_strtoll (f[2 + r], NULL, 10);

          g_array_append_val (ref[r], c);
        }
    }
  g_assert_cmpuint (x->len, ==, 600);

  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      GisDbscanParams params = { runs[r].eps, runs[r].min_pts, !runs[r].borders, 0, 0 };
      g_auto(GisDbscanResult) res = { 0 };
      g_autofree gint32 *brute = g_new (gint32, x->len);
      guint max_id = 0, noise = 0;

      g_assert_true (gis_dbscan_run ((double *) (gpointer) x->data, (double *) (gpointer) y->data, x->len,
                                     &params, &res, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < x->len; i++)
        {
          g_assert_cmpint (res.cluster[i], ==, g_array_index (ref[r], gint32, i));
          max_id = MAX (max_id, (guint) res.cluster[i]);
          noise += res.cluster[i] == 0;
        }
      g_assert_cmpuint (res.n_clusters, ==, max_id);
      g_assert_cmpuint (res.n_noise, ==, noise);

      /* and the transcription agrees with R */
      brute_dbscan ((double *) (gpointer) x->data, (double *) (gpointer) y->data, NULL, x->len,
                    runs[r].eps, 0, runs[r].min_pts, runs[r].borders, brute);
      for (guint i = 0; i < x->len; i++)
        g_assert_cmpint (brute[i], ==, g_array_index (ref[r], gint32, i));
      g_test_message ("eps %.0f minPts %u: %u clusters, %u noise, same ids as R",
                      runs[r].eps, runs[r].min_pts, res.n_clusters, noise);
    }
  for (guint r = 0; r < 3; r++)
    g_array_unref (ref[r]);
}

/* A border point (1.0) within eps of a core point of each cluster goes to
 * the one numbered first, whichever order the points come in (R gives
 * 1 1 1 1 2 2 2 for both orders below). */
static void
test_contested_border (void)
{
  static const double x1[] = { 0, 0.1, 0.2, 1.0, 1.8, 1.9, 2.0 };
  static const double x2[] = { 1.0, 2.0, 1.9, 1.8, 0, 0.1, 0.2 };
  static const double zero[7] = { 0 };
  static const gint32 expected[] = { 1, 1, 1, 1, 2, 2, 2 };
  GisDbscanParams params = { 0.85, 4, FALSE, 0, 0 };

  for (guint o = 0; o < 2; o++)
    {
      g_auto(GisDbscanResult) r = { 0 };

      g_assert_true (gis_dbscan_run (o == 0 ? x1 : x2, zero, 7, &params, &r, NULL, NULL, NULL, NULL));
      for (guint i = 0; i < 7; i++)
        g_assert_cmpint (r.cluster[i], ==, expected[i]);
      g_assert_false (r.core[o == 0 ? 3 : 0]);
    }
  /* d <= eps counts: at eps 1 the points 1 apart are neighbours */
  {
    static const double x3[] = { 0, 1, 2, 10 };
    g_auto(GisDbscanResult) r = { 0 };

    params.eps_m = 1;
    params.min_pts = 2;
    g_assert_true (gis_dbscan_run (x3, zero, 4, &params, &r, NULL, NULL, NULL, NULL));
    g_assert_cmpint (r.cluster[0], ==, 1);
    g_assert_cmpint (r.cluster[2], ==, 1);
    g_assert_cmpint (r.cluster[3], ==, 0);
  }
}

static void
clustered_points (GRand  *rand,
                  guint   n,
                  double *x,
                  double *y,
                  double *t)
{
  for (guint i = 0; i < n; i++)
    {
      if (i % 4 == 3)
        {
          x[i] = g_rand_double (rand) * 50000;
          y[i] = g_rand_double (rand) * 50000;
        }
      else
        {
          guint c = g_rand_int_range (rand, 0, 12);

          x[i] = 4000 * (c % 4) + 5000 + g_rand_double (rand) * 3000;
          y[i] = 12000 * (c / 4) + 5000 + g_rand_double (rand) * 3000;
        }
      /* whole days: ties in time, and windows whose edges are hit */
      if (t != NULL)
        t[i] = g_rand_int_range (rand, 0, 60);
    }
}

/* Random clustered points, several eps and minPts: the same ids as the
 * transcription of R's loop, whatever the number of threads. */
static void
test_brute_force (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const guint n = 1500;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree gint32 *brute = g_new (gint32, n);

  clustered_points (rand, n, x, y, NULL);
  for (guint c = 0; c < 6; c++)
    {
      double eps = 150 + 170 * c;
      guint min_pts = 3 + 2 * (c % 3);
      gboolean borders = c != 4;

      brute_dbscan (x, y, NULL, n, eps, 0, min_pts, borders, brute);
      for (guint threads = 1; threads <= 3; threads += 2)
        {
          GisDbscanParams params = { eps, min_pts, !borders, 0, threads };
          g_auto(GisDbscanResult) r = { 0 };

          g_assert_true (gis_dbscan_run (x, y, n, &params, &r, NULL, NULL, NULL, NULL));
          for (guint i = 0; i < n; i++)
            g_assert_cmpint (r.cluster[i], ==, brute[i]);
        }
    }
}

/* ST-DBSCAN: no R reference (the dbscan package has none), so the
 * transcription of R's loop with the joint neighbourhood (within eps in
 * space and eps_days in time) is the reference. */
static void
test_st_dbscan (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  const guint n = 1500;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autofree double *t = g_new (double, n);
  g_autofree gint32 *brute = g_new (gint32, n);

  clustered_points (rand, n, x, y, t);
  for (guint c = 0; c < 4; c++)
    {
      double eps = 300 + 250 * c, eps_t = c == 3 ? 1000 : 2 + 3 * c;
      guint min_pts = 3 + c;
      GisDbscanParams params = { eps, min_pts, c == 2, eps_t, 0 };
      g_auto(GisDbscanResult) r = { 0 };
      guint clusters = 0;

      brute_dbscan (x, y, t, n, eps, eps_t, min_pts, c != 2, brute);
      g_assert_true (gis_st_dbscan_run (x, y, t, n, &params, &r, NULL, NULL, NULL, NULL));
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpint (r.cluster[i], ==, brute[i]);
          clusters = MAX (clusters, (guint) brute[i]);
        }
      g_test_message ("ST eps %.0f m, %.0f days, minPts %u: %u clusters", eps, eps_t, min_pts, clusters);

      /* a window longer than the times: plain DBSCAN */
      if (c == 3)
        {
          g_auto(GisDbscanResult) plain = { 0 };

          g_assert_true (gis_dbscan_run (x, y, n, &params, &plain, NULL, NULL, NULL, NULL));
          for (guint i = 0; i < n; i++)
            g_assert_cmpint (r.cluster[i], ==, plain.cluster[i]);
        }
    }
}

static void
test_bad_parameters (void)
{
  static const double x[] = { 0, 1, 2 }, y[] = { 0, 0, 0 }, t[] = { 0, 1, 2 };
  const double bad[] = { 0, INFINITY, 1 };
  GisDbscanParams params = { 0, 3, FALSE, 1, 0 };
  g_auto(GisDbscanResult) r = { 0 };
  GError *error = NULL;

#define EXPECT_INVALID(call)                                      \
  G_STMT_START {                                                  \
    g_assert_false (call);                                        \
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);   \
    g_clear_error (&error);                                       \
    g_assert_null (r.cluster);                                    \
  } G_STMT_END

  EXPECT_INVALID (gis_dbscan_run (x, y, 3, &params, &r, NULL, NULL, NULL, &error));
  params.eps_m = 1;
  params.min_pts = 0;
  EXPECT_INVALID (gis_dbscan_run (x, y, 3, &params, &r, NULL, NULL, NULL, &error));
  params.min_pts = 2;
  EXPECT_INVALID (gis_dbscan_run (bad, y, 3, &params, &r, NULL, NULL, NULL, &error));
  EXPECT_INVALID (gis_st_dbscan_run (x, y, bad, 3, &params, &r, NULL, NULL, NULL, &error));
  params.eps_days = -1;
  EXPECT_INVALID (gis_st_dbscan_run (x, y, t, 3, &params, &r, NULL, NULL, NULL, &error));
#undef EXPECT_INVALID

  /* no points: no clusters */
  params.eps_days = 1;
  g_assert_true (gis_dbscan_run (x, y, 0, &params, &r, NULL, NULL, NULL, NULL));
  g_assert_cmpuint (r.n_clusters, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dbscan/r-fixture", test_r_fixture);
  g_test_add_func ("/dbscan/contested-border", test_contested_border);
  g_test_add_func ("/dbscan/brute-force", test_brute_force);
  g_test_add_func ("/dbscan/st-dbscan", test_st_dbscan);
  g_test_add_func ("/dbscan/bad-parameters", test_bad_parameters);

  return g_test_run ();
}
