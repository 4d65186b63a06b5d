/* gis-classify.c: class breaks of numeric values for graduated styles
 *
 * Breaks are k + 1 ascending values b0 ≤ b1 ≤ … ≤ bk: b0 is the minimum,
 * bk the maximum, and class c holds the values v with b(c) < v ≤ b(c+1)
 * (class 0 also holds b0), the convention of QGIS's graduated renderer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-classify"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-classify.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
quantile_breaks (const double *x,
                 gsize         n,
                 guint         k,
                 double       *breaks)
{
  breaks[0] = x[0];
  for (guint i = 1; i < k; i++)
    {
      /* Hyndman & Fan type 7: h = (n - 1) p, 0-based order statistics */
      double h = (double) (n - 1) * i / k;
      gsize lo = (gsize) floor (h);
      double frac = h - lo;

      if (lo + 1 < n)
        breaks[i] = x[lo] + frac * (x[lo + 1] - x[lo]);
      else
        breaks[i] = x[n - 1];
    }
  breaks[k] = x[n - 1];
}

static void
equal_interval_breaks (const double *x,
                       gsize         n,
                       guint         k,
                       double       *breaks)
{
  double lo = x[0], hi = x[n - 1];

  for (guint i = 0; i < k; i++)
    breaks[i] = lo + (hi - lo) * i / k;
  breaks[k] = hi;
}

/* Fisher (1958) exact optimal partition of sorted values into k
 * contiguous classes minimising the total within-class sum of squared
 * deviations, by dynamic programming in O(k n²) time and O(k n) memory.
 * The sums are of values minus their mean, which keeps the subtraction
 * in the sum-of-squares formula from cancelling. */
static void
jenks_breaks (const double *x,
              gsize         n,
              guint         k,
              double       *breaks)
{
  g_autofree double *s1 = g_new (double, n + 1);
  g_autofree double *s2 = g_new (double, n + 1);
  g_autofree double *prev = g_new (double, n);
  g_autofree double *cur = g_new (double, n);
  g_autofree guint32 *split = g_new (guint32, (gsize) k * n);  /* first index of the last class */
  double mean = 0;

  for (gsize i = 0; i < n; i++)
    mean += x[i];
  mean /= n;

  s1[0] = s2[0] = 0;
  for (gsize i = 0; i < n; i++)
    {
      double d = x[i] - mean;

      s1[i + 1] = s1[i] + d;
      s2[i + 1] = s2[i] + d * d;
    }

#define SSD(i, j) (s2[(j) + 1] - s2[i] - (s1[(j) + 1] - s1[i]) * (s1[(j) + 1] - s1[i]) / (double) ((j) - (i) + 1))

  /* one class: x[0..j] */
  for (gsize j = 0; j < n; j++)
    {
      prev[j] = SSD (0, j);
      split[j] = 0;
    }

  for (guint c = 1; c < k; c++)
    {
      guint32 *sp = split + (gsize) c * n;

      /* c + 1 classes over x[0..j] need j >= c */
      for (gsize j = 0; j < n; j++)
        {
          double best = INFINITY;
          guint32 best_i = (guint32) MIN (j, (gsize) c);

          if (j < c)
            {
              cur[j] = INFINITY;
              sp[j] = (guint32) j;
              continue;
            }
          /* the last class is x[i..j]; the first c classes x[0..i-1] */
          for (gsize i = j; i >= c; i--)
            {
              double v = prev[i - 1] + SSD (i, j);

              if (v < best)
                {
                  best = v;
                  best_i = (guint32) i;
                }
            }
          cur[j] = best;
          sp[j] = best_i;
        }
      memcpy (prev, cur, n * sizeof (double));
    }
#undef SSD

  /* walk back the splits: class c is x[start..end] */
  breaks[0] = x[0];
  breaks[k] = x[n - 1];
  {
    gsize end = n - 1;

    for (guint c = k - 1; c >= 1; c--)
      {
        gsize start = split[(gsize) c * n + end];

        breaks[c] = x[start - 1];    /* the upper value of class c - 1 */
        end = start - 1;
      }
  }
}

/**
 * gis_classify_breaks:
 * @values: (array length=n): the values; NaN and infinities are ignored
 * @n: number of values
 * @method: how to place the breaks
 * @k: number of classes, 1 to %GIS_CLASSIFY_MAX_CLASSES
 * @breaks: (out caller-allocates) (array fixed-size=k+1): k + 1 breaks,
 *   ascending; b0 the minimum, bk the maximum
 *
 * Class breaks of @values.  With fewer distinct values than classes some
 * breaks repeat (some classes are empty).  Natural breaks on more than
 * %GIS_CLASSIFY_JENKS_MAX_SAMPLE values run on that many of the sorted
 * values, evenly spaced by rank and including the minimum and the maximum
 * (deterministic, like QGIS's sample).
 *
 * Returns: %FALSE, leaving @breaks alone, when @values holds no finite
 *   value
 */
gboolean
gis_classify_breaks (const double      *values,
                     gsize              n,
                     GisClassifyMethod  method,
                     guint              k,
                     double            *breaks)
{
  g_autofree double *x = NULL;
  gsize m = 0;

  g_return_val_if_fail (values != NULL || n == 0, FALSE);
  g_return_val_if_fail (breaks != NULL, FALSE);
  g_return_val_if_fail (k >= 1 && k <= GIS_CLASSIFY_MAX_CLASSES, FALSE);

  x = g_new (double, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      x[m++] = values[i];
  if (m == 0)
    return FALSE;
  qsort (x, m, sizeof (double), compare_doubles);

  switch (method)
    {
    case GIS_CLASSIFY_QUANTILE:
      quantile_breaks (x, m, k, breaks);
      break;

    case GIS_CLASSIFY_EQUAL_INTERVAL:
      equal_interval_breaks (x, m, k, breaks);
      break;

    case GIS_CLASSIFY_NATURAL_BREAKS:
      if (m <= k)
        {
          /* each value its own class */
          breaks[0] = x[0];
          for (guint i = 1; i <= k; i++)
            breaks[i] = x[MIN ((gsize) i - 1, m - 1)];
          breaks[k] = x[m - 1];
        }
      else if (m > GIS_CLASSIFY_JENKS_MAX_SAMPLE)
        {
          const gsize s = GIS_CLASSIFY_JENKS_MAX_SAMPLE;
          g_autofree double *sample = g_new (double, s);

          for (gsize i = 0; i < s; i++)
            sample[i] = x[(gsize) llround ((double) i * (m - 1) / (s - 1))];
          jenks_breaks (sample, s, k, breaks);
        }
      else
        jenks_breaks (x, m, k, breaks);
      break;

    default:
      g_return_val_if_reached (FALSE);
    }

  return TRUE;
}

/**
 * gis_classify_find_class:
 * @breaks: (array fixed-size=k+1): breaks from gis_classify_breaks()
 * @k: number of classes
 * @value: a value
 *
 * Values below b0 fall in class 0 and values above bk in class k − 1, so
 * that a feature added after the breaks were computed still shows.
 *
 * Returns: the class of @value, or %G_MAXUINT for NaN
 */
guint
gis_classify_find_class (const double *breaks,
                         guint         k,
                         double        value)
{
  guint lo, hi;

  g_return_val_if_fail (breaks != NULL && k >= 1, G_MAXUINT);

  if (isnan (value))
    return G_MAXUINT;

  /* the smallest c in [0, k-1] with value <= b(c+1), else k - 1 */
  lo = 0;
  hi = k - 1;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (value <= breaks[mid + 1])
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

static const char *const method_ids[] = {
  [GIS_CLASSIFY_QUANTILE] = "quantile",
  [GIS_CLASSIFY_EQUAL_INTERVAL] = "equal-interval",
  [GIS_CLASSIFY_NATURAL_BREAKS] = "natural-breaks",
};

/**
 * gis_classify_method_to_string:
 *
 * Returns: (transfer none): "quantile", "equal-interval" or "natural-breaks"
 */
const char *
gis_classify_method_to_string (GisClassifyMethod method)
{
  g_return_val_if_fail ((guint) method < G_N_ELEMENTS (method_ids), NULL);
  return method_ids[method];
}

gboolean
gis_classify_method_from_string (const char        *str,
                                 GisClassifyMethod *out_method)
{
  g_return_val_if_fail (out_method != NULL, FALSE);

  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (method_ids); i++)
    if (g_ascii_strcasecmp (str, method_ids[i]) == 0)
      {
        *out_method = (GisClassifyMethod) i;
        return TRUE;
      }
  return FALSE;
}
