/* test-mclp.c: the maximal covering location problem against enumeration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "gis.h"

typedef struct
{
  GArray *weights;   /* double */
  GArray *start;     /* guint */
  GArray *items;     /* guint */
} Instance;

static void
instance_init (Instance *in,
               guint     n_demand)
{
  in->weights = g_array_new (FALSE, TRUE, sizeof (double));
  g_array_set_size (in->weights, n_demand);
  for (guint i = 0; i < n_demand; i++)
    g_array_index (in->weights, double, i) = 1;
  in->start = g_array_new (FALSE, FALSE, sizeof (guint));
  in->items = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (in->start, (guint) { 0 });
}

static void
instance_add (Instance    *in,
              const guint *set,
              guint        n)
{
  guint end;

  g_array_append_vals (in->items, set, n);
  end = in->items->len;
  g_array_append_val (in->start, end);
}

static void
instance_clear (Instance *in)
{
  g_array_unref (in->weights);
  g_array_unref (in->start);
  g_array_unref (in->items);
}

static GisMclpProblem
problem_of (Instance *in,
            guint     k)
{
  GisMclpProblem p = {
    in->weights->len, (const double *) (gpointer) in->weights->data,
    in->start->len - 1, (const guint *) (gpointer) in->start->data,
    (const guint *) (gpointer) in->items->data, k,
  };

  return p;
}

/* The best value over every set of k candidates (or fewer, when there are fewer). */
static double
enumerate_best (const GisMclpProblem *p,
                guint                 k)
{
  guint n = p->n_candidates, m = MIN (k, n);
  g_autofree guint *idx = g_new (guint, MAX (m, 1));
  double best = 0;

  for (guint i = 0; i < m; i++)
    idx[i] = i;
  for (;;)
    {
      int j;

      best = MAX (best, gis_mclp_value (p, idx, m));
      for (j = (int) m - 1; j >= 0 && idx[j] == n - m + (guint) j; j--)
        ;
      if (j < 0)
        break;
      idx[j]++;
      for (guint l = (guint) j + 1; l < m; l++)
        idx[l] = idx[l - 1] + 1;
    }
  return best;
}

/* disjoint sets: greedy takes the heaviest ones, which is optimal */
static void
test_greedy_optimal (void)
{
  Instance in;
  GisMclpProblem p;
  g_auto(GisMclpSolution) s = { 0 };
  g_autoptr(GError) error = NULL;
  guint next = 0;

  instance_init (&in, 40);
  for (guint c = 0; c < 8; c++)
    {
      g_autofree guint *set = g_new (guint, c + 1);

      for (guint i = 0; i <= c; i++)
        set[i] = next++;
      instance_add (&in, set, c + 1);
    }
  /* weights differ so the order is one */
  for (guint i = 0; i < in.weights->len; i++)
    g_array_index (in.weights, double, i) = 1 + i * 0.01;
  p = problem_of (&in, 3);

  g_assert_true (gis_mclp_greedy (&p, &s, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s.n_chosen, ==, 3);
  g_assert_cmpuint (s.chosen[0], ==, 7);
  g_assert_cmpuint (s.chosen[1], ==, 6);
  g_assert_cmpuint (s.chosen[2], ==, 5);
  g_assert_cmpfloat_with_epsilon (s.value, enumerate_best (&p, 3), 1e-9);
  g_assert_cmpfloat_with_epsilon (s.added[0] + s.added[1] + s.added[2], s.value, 1e-9);
  g_assert_cmpfloat (s.upper_bound, >=, s.value);
  instance_clear (&in);
}

/* greedy's trap: the biggest set first, then too little */
static void
test_exact_beats_greedy (void)
{
  static const guint s0[] = { 0, 1, 2, 3 }, s1[] = { 0, 1, 4 }, s2[] = { 2, 3, 5 };
  Instance in;
  GisMclpProblem p;
  g_auto(GisMclpSolution) greedy = { 0 };
  g_auto(GisMclpSolution) exact = { 0 };
  g_autoptr(GError) error = NULL;

  instance_init (&in, 6);
  instance_add (&in, s0, 4);
  instance_add (&in, s1, 3);
  instance_add (&in, s2, 3);
  p = problem_of (&in, 2);

  g_assert_true (gis_mclp_greedy (&p, &greedy, NULL, &error));
  g_assert_cmpfloat (greedy.value, ==, 5);
  g_assert_false (greedy.optimal);
  g_assert_cmpfloat (greedy.upper_bound, >=, 6);

  g_assert_true (gis_mclp_exact (&p, 1000000, &exact, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (exact.optimal);
  g_assert_cmpfloat (exact.value, ==, 6);
  g_assert_cmpuint (exact.n_chosen, ==, 2);
  g_assert_cmpfloat (gis_mclp_value (&p, exact.chosen, exact.n_chosen), ==, 6);
  instance_clear (&in);
}

/* random instances: exact equals enumeration; greedy within 1 − 1/e */
static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);

  for (guint round = 0; round < 60; round++)
    {
      guint n_demand = g_rand_int_range (rand, 5, 60);
      guint n_cand = g_rand_int_range (rand, 1, 14);
      guint k = g_rand_int_range (rand, 1, 5);
      Instance in;
      GisMclpProblem p;
      g_auto(GisMclpSolution) greedy = { 0 };
      g_auto(GisMclpSolution) exact = { 0 };
      g_autoptr(GError) error = NULL;
      double best;

      instance_init (&in, n_demand);
      for (guint i = 0; i < n_demand; i++)
        g_array_index (in.weights, double, i) = g_rand_int_range (rand, 0, 6);
      for (guint c = 0; c < n_cand; c++)
        {
          guint n = g_rand_int_range (rand, 0, 12);
          g_autofree guint *set = g_new (guint, MAX (n, 1));

          for (guint i = 0; i < n; i++)
            set[i] = g_rand_int_range (rand, 0, n_demand);   /* repeats allowed */
          instance_add (&in, set, n);
        }
      p = problem_of (&in, k);
      best = enumerate_best (&p, k);

      g_assert_true (gis_mclp_greedy (&p, &greedy, NULL, &error));
      g_assert_true (gis_mclp_exact (&p, G_MAXUINT64, &exact, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (exact.optimal);
      g_assert_cmpfloat_with_epsilon (exact.value, best, 1e-9);
      g_assert_cmpfloat (exact.value, >=, greedy.value - 1e-9);
      g_assert_cmpfloat (greedy.value, >=, (1 - 1 / M_E) * best - 1e-9);
      g_assert_cmpfloat (greedy.upper_bound, >=, best - 1e-9);
      g_assert_cmpfloat_with_epsilon (gis_mclp_value (&p, greedy.chosen, greedy.n_chosen), greedy.value, 1e-9);
      instance_clear (&in);
    }
}

static void
test_bad_input (void)
{
  static const guint bad[] = { 7 };
  Instance in;
  GisMclpProblem p;
  g_auto(GisMclpSolution) s = { 0 };
  g_autoptr(GError) error = NULL;

  instance_init (&in, 3);
  instance_add (&in, bad, 1);
  p = problem_of (&in, 1);
  g_assert_false (gis_mclp_greedy (&p, &s, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  p.k = 0;
  g_assert_false (gis_mclp_greedy (&p, &s, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  instance_clear (&in);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mclp/greedy-optimal", test_greedy_optimal);
  g_test_add_func ("/mclp/exact-beats-greedy", test_exact_beats_greedy);
  g_test_add_func ("/mclp/random", test_random);
  g_test_add_func ("/mclp/bad-input", test_bad_input);

  return g_test_run ();
}
