/* test-emerging.c: Mann-Kendall by hand and the emerging hot spot rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "gis.h"

/* x = 1 3 2 3 5 5 4 6 (n = 8).  For each i, later values greater minus
 * smaller: 1: +7; 3: +4 −1 = 3 (the later 3 is a tie); 2: +5; 3: +4;
 * 5: +1 −1 = 0 (tie with 5); 5: 0; 4: +1: S = 20.
 * Ties: two groups of t = 2 (the 3s, the 5s), each t(t−1)(2t+5) = 18.
 * Var(S) = (8·7·21 − 36) / 18 = 1140 / 18 = 63.3333…
 * z = (20 − 1) / √63.3333 = 2.387467277262664, p = erfc(z / √2) = 0.016964912953587.
 * Falling with a triple tie: x = 5 5 5 4 4 3: S = −11 (the 5s: −3 each,
 * the 4s: −1 each; no pair of ties counts), ties 3·2·11 + 2·1·9 = 84,
 * Var = (6·5·17 − 84) / 18 = 23.6667, z = (−11 + 1) / √23.6667
 * = −2.055566129482595, p = 0.039824355364811.  NaN values are left out. */
static void
test_mann_kendall (void)
{
  static const double x1[] = { 1, 3, 2, 3, 5, 5, 4, 6 };
  const double x2[] = { 5, NAN, 5, 5, 4, 4, 3 };
  static const double flat[] = { 2, 2, 2 };
  GisMannKendall mk;

  gis_mann_kendall (x1, 8, &mk);
  g_assert_cmpuint (mk.n, ==, 8);
  g_assert_cmpfloat (mk.s, ==, 20);
  g_assert_cmpfloat_with_epsilon (mk.var_s, 1140.0 / 18, 1e-12);
  g_assert_cmpfloat_with_epsilon (mk.z, 2.387467277262664, 1e-12);
  g_assert_cmpfloat_with_epsilon (mk.p, 0.016964912953587, 1e-12);

  gis_mann_kendall (x2, 7, &mk);
  g_assert_cmpuint (mk.n, ==, 6);
  g_assert_cmpfloat (mk.s, ==, -11);
  g_assert_cmpfloat_with_epsilon (mk.var_s, 426.0 / 18, 1e-12);
  g_assert_cmpfloat_with_epsilon (mk.z, -2.055566129482595, 1e-12);
  g_assert_cmpfloat_with_epsilon (mk.p, 0.039824355364811, 1e-12);

  gis_mann_kendall (flat, 3, &mk);
  g_assert_cmpfloat (mk.z, ==, 0);
  g_assert_cmpfloat (mk.p, ==, 1);
}

typedef struct
{
  const char          *bins;      /* one step a character: + hot, - cold, . neither */
  double               trend_z;   /* with p from it */
  GisEmergingCategory  expected;
} Case;

static void
test_categories (void)
{
  static const Case cases[] = {
    /* 10 steps: 90 % is 9 */
    { "..........", 0, GIS_EMERGING_NO_PATTERN },
    { ".........+", 0, GIS_EMERGING_NEW_HOT },
    { "-........+", 0, GIS_EMERGING_NEW_HOT },          /* new wins over oscillating */
    { "......++++", 0, GIS_EMERGING_CONSECUTIVE_HOT },
    { "-.....++++", 0, GIS_EMERGING_CONSECUTIVE_HOT },  /* consecutive wins over oscillating */
    { ".+++++++++", 3.0, GIS_EMERGING_INTENSIFYING_HOT },
    { ".+++++++++", 1.0, GIS_EMERGING_PERSISTENT_HOT },  /* p = 0.32: no trend */
    { "++++++++++", -2.5, GIS_EMERGING_DIMINISHING_HOT },
    { "+.+..+..++", 0, GIS_EMERGING_SPORADIC_HOT },
    { "+.-..+..++", 0, GIS_EMERGING_OSCILLATING_HOT },
    { "+++++++++.", 0, GIS_EMERGING_HISTORICAL_HOT },
    { "+++++++++-", 0, GIS_EMERGING_HISTORICAL_HOT },   /* historical wins over new cold */
    { "++++++++..", 0, GIS_EMERGING_NO_PATTERN },       /* 80 %, last not hot */
    { ".........-", 0, GIS_EMERGING_NEW_COLD },
    { ".......---", 0, GIS_EMERGING_CONSECUTIVE_COLD },
    { "----------", -3.0, GIS_EMERGING_INTENSIFYING_COLD },
    { "----------", 0.5, GIS_EMERGING_PERSISTENT_COLD },
    { "-.--------", 2.2, GIS_EMERGING_DIMINISHING_COLD },
    { "-..-.-...-", 0, GIS_EMERGING_SPORADIC_COLD },
    { "+..-.-...-", 0, GIS_EMERGING_OSCILLATING_COLD },
    { "---------.", 0, GIS_EMERGING_HISTORICAL_COLD },
    /* 20 steps: 18 is 90 % */
    { "..++++++++++++++++++", 2.0, GIS_EMERGING_INTENSIFYING_HOT },
    { "...+++++++++++++++++", 2.0, GIS_EMERGING_CONSECUTIVE_HOT },  /* 85 % */
    { "+", 0, GIS_EMERGING_NEW_HOT },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      guint n = strlen (cases[c].bins);
      g_autofree gint8 *bins = g_new (gint8, n);
      GisMannKendall trend = { n, 0, 1, cases[c].trend_z, erfc (fabs (cases[c].trend_z) / sqrt (2)) };
      GisEmergingCategory got;

      for (guint t = 0; t < n; t++)
        bins[t] = cases[c].bins[t] == '+' ? 1 + (gint8) (t % 3) : cases[c].bins[t] == '-' ? -2 : 0;
      got = gis_emerging_classify (bins, n, &trend, 0.05);
      if (got != cases[c].expected)
        g_error ("%s (trend z %.1f): %s, not %s", cases[c].bins, cases[c].trend_z,
                 gis_emerging_category_to_string (got), gis_emerging_category_to_string (cases[c].expected));
    }

  /* every category has a name and a label */
  for (guint k = 0; k < GIS_EMERGING_N_CATEGORIES; k++)
    {
      g_assert_nonnull (gis_emerging_category_to_string (k));
      g_assert_nonnull (gis_emerging_category_to_label (k));
    }
  g_assert_cmpint (gis_emerging_classify (NULL, 0, NULL, 0), ==, GIS_EMERGING_NO_PATTERN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/emerging/mann-kendall", test_mann_kendall);
  g_test_add_func ("/emerging/categories", test_categories);

  return g_test_run ();
}
