/* gis-emerging.c: Mann-Kendall and the emerging hot spot categories
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-emerging"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-emerging.h"

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/**
 * gis_mann_kendall:
 * @values: (array length=n): a series in time order; NaN values are left out
 * @n: its length
 * @out: (out caller-allocates): S, its variance with the tie correction,
 *   z with the continuity correction and the two-sided p (Kendall 1975)
 *
 * With fewer than two values, or no variance, z is 0 and p 1.
 */
void
gis_mann_kendall (const double   *values,
                  guint           n,
                  GisMannKendall *out)
{
  g_autofree double *v = g_new (double, MAX (n, 1));
  guint m = 0;
  double s = 0, ties = 0, var;

  g_return_if_fail (out != NULL);
  memset (out, 0, sizeof *out);
  for (guint i = 0; i < n; i++)
    if (!isnan (values[i]))
      v[m++] = values[i];
  for (guint i = 0; i < m; i++)
    for (guint j = i + 1; j < m; j++)
      s += (v[j] > v[i]) - (v[j] < v[i]);

  /* tie groups: sort, count runs */
  qsort (v, m, sizeof (double), compare_double);
  for (guint i = 0; i < m;)
    {
      guint j = i;
      double t;

      while (j < m && v[j] == v[i])
        j++;
      t = j - i;
      ties += t * (t - 1) * (2 * t + 5);
      i = j;
    }
  var = ((double) m * (m - 1.0) * (2.0 * m + 5) - ties) / 18;

  out->n = m;
  out->s = s;
  out->var_s = var;
  out->z = 0;
  if (var > 0 && s > 0)
    out->z = (s - 1) / sqrt (var);
  else if (var > 0 && s < 0)
    out->z = (s + 1) / sqrt (var);
  out->p = erfc (fabs (out->z) / G_SQRT2);
}

/**
 * gis_emerging_classify:
 * @bins: (array length=n_steps): the location's FDR bins (−3 … 3), oldest first
 * @n_steps: the number of time steps
 * @trend: (nullable): Mann-Kendall on the location's z series; %NULL: no trend
 * @alpha: the trend's significance level; 0 means 0.05
 *
 * See #GisEmergingCategory for the rules.
 *
 * Returns: the category
 */
GisEmergingCategory
gis_emerging_classify (const gint8          *bins,
                       guint                 n_steps,
                       const GisMannKendall *trend,
                       double                alpha)
{
  guint hot = 0, cold = 0;
  gboolean last_hot, last_cold;
  int up = 0;       /* the trend: +1 rising z, −1 falling, 0 none */

  if (n_steps == 0)
    return GIS_EMERGING_NO_PATTERN;
  g_return_val_if_fail (bins != NULL, GIS_EMERGING_NO_PATTERN);
  if (alpha <= 0)
    alpha = 0.05;
  if (trend != NULL && trend->p <= alpha && trend->z != 0)
    up = trend->z > 0 ? 1 : -1;
  for (guint t = 0; t < n_steps; t++)
    {
      hot += bins[t] > 0;
      cold += bins[t] < 0;
    }
  last_hot = bins[n_steps - 1] > 0;
  last_cold = bins[n_steps - 1] < 0;

  if (!last_hot && 10 * hot >= 9 * n_steps)
    return GIS_EMERGING_HISTORICAL_HOT;
  if (!last_cold && 10 * cold >= 9 * n_steps)
    return GIS_EMERGING_HISTORICAL_COLD;
  if (!last_hot && !last_cold)
    return GIS_EMERGING_NO_PATTERN;

  {
    /* the family of the last step; "same" steps and "other" steps */
    int sign = last_hot ? 1 : -1;
    guint same = last_hot ? hot : cold, other = last_hot ? cold : hot, run = 0;
    int offset = last_hot ? 0 : GIS_EMERGING_NEW_COLD - GIS_EMERGING_NEW_HOT;

    for (guint t = n_steps; t > 0 && bins[t - 1] * sign > 0; t--)
      run++;
    if (same == 1)
      return GIS_EMERGING_NEW_HOT + offset;
    if (10 * same >= 9 * n_steps)
      {
        if (up * sign > 0)
          return GIS_EMERGING_INTENSIFYING_HOT + offset;
        if (up * sign < 0)
          return GIS_EMERGING_DIMINISHING_HOT + offset;
        return GIS_EMERGING_PERSISTENT_HOT + offset;
      }
    if (run == same)
      return GIS_EMERGING_CONSECUTIVE_HOT + offset;
    if (other > 0)
      return GIS_EMERGING_OSCILLATING_HOT + offset;
    return GIS_EMERGING_SPORADIC_HOT + offset;
  }
}

static const char *const category_names[GIS_EMERGING_N_CATEGORIES] = {
  "no-pattern",
  "new-hot-spot", "consecutive-hot-spot", "intensifying-hot-spot", "persistent-hot-spot",
  "diminishing-hot-spot", "sporadic-hot-spot", "oscillating-hot-spot", "historical-hot-spot",
  "new-cold-spot", "consecutive-cold-spot", "intensifying-cold-spot", "persistent-cold-spot",
  "diminishing-cold-spot", "sporadic-cold-spot", "oscillating-cold-spot", "historical-cold-spot",
};

/**
 * gis_emerging_category_to_string:
 *
 * Returns: (transfer none): the category's name in method records and
 *   exports, e.g. "intensifying-hot-spot"
 */
const char *
gis_emerging_category_to_string (GisEmergingCategory category)
{
  g_return_val_if_fail ((guint) category < GIS_EMERGING_N_CATEGORIES, NULL);
  return category_names[category];
}

/**
 * gis_emerging_category_to_label:
 *
 * Returns: (transfer none): the category's name for people, translated
 */
const char *
gis_emerging_category_to_label (GisEmergingCategory category)
{
  switch (category)
    {
    case GIS_EMERGING_NO_PATTERN: return _("No pattern detected");
    case GIS_EMERGING_NEW_HOT: return _("New hot spot");
    case GIS_EMERGING_CONSECUTIVE_HOT: return _("Consecutive hot spot");
    case GIS_EMERGING_INTENSIFYING_HOT: return _("Intensifying hot spot");
    case GIS_EMERGING_PERSISTENT_HOT: return _("Persistent hot spot");
    case GIS_EMERGING_DIMINISHING_HOT: return _("Diminishing hot spot");
    case GIS_EMERGING_SPORADIC_HOT: return _("Sporadic hot spot");
    case GIS_EMERGING_OSCILLATING_HOT: return _("Oscillating hot spot");
    case GIS_EMERGING_HISTORICAL_HOT: return _("Historical hot spot");
    case GIS_EMERGING_NEW_COLD: return _("New cold spot");
    case GIS_EMERGING_CONSECUTIVE_COLD: return _("Consecutive cold spot");
    case GIS_EMERGING_INTENSIFYING_COLD: return _("Intensifying cold spot");
    case GIS_EMERGING_PERSISTENT_COLD: return _("Persistent cold spot");
    case GIS_EMERGING_DIMINISHING_COLD: return _("Diminishing cold spot");
    case GIS_EMERGING_SPORADIC_COLD: return _("Sporadic cold spot");
    case GIS_EMERGING_OSCILLATING_COLD: return _("Oscillating cold spot");
    case GIS_EMERGING_HISTORICAL_COLD: return _("Historical cold spot");
    default:
      g_return_val_if_reached (NULL);
    }
}
