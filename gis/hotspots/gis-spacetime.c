/* gis-spacetime.c: space-time Gi* and emerging hot spots
 *
 * The points go to spatial cells (gis_bins_from_points(), the cells
 * holding a point at some step are the locations) and to calendar time
 * steps: a location × a step is a space-time bin whose value is its
 * points' summed weight (0 when it has none).  Bin (i, t) has as
 * neighbours the bins (j, t') with j a spatial neighbour of i (the
 * location itself included, weights w_ij as gis_gistar_run() gives them)
 * and t − K <= t' <= t: the same step and the K previous ones (DESIGN §6,
 * as ArcGIS's space-time cube with a time step interval of K + 1 steps),
 * each weighted w_ij.  Gi* is then the formula of gis-gistar.c over all
 * n = locations × steps bins, the mean and S over all of them:
 *
 *   G*_it = (Σ w x − x̄ W_it) / (S √((n S1_it − W_it²) / (n − 1)))
 *   W_it = (Σ_j w_ij) · m_t,  S1_it = (Σ_j w_ij²) · m_t,  m_t = min (t, K) + 1
 *
 * The sum is Σ_j w_ij · R_jt with R_jt the sum of location j's values
 * over the window, so a location's spatial neighbours are found once
 * (on a grid, as gis-gistar.c) and its whole series is done at once.
 * The FDR bins are taken within each step; Mann-Kendall runs on each
 * location's z series and gis_emerging_classify() gives the category.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-spacetime"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "gis-error.h"
#include "gis-hotspots-private.h"
#include "gis-spacetime.h"

#define BAND_TOLERANCE 1e-9
#define CHUNK 256

/**
 * gis_spacetime_params_init:
 * @params: (out caller-allocates): parameters
 *
 * Squares, monthly steps, band weights and K = %GIS_SPACETIME_DEFAULT_PREVIOUS;
 * the cell size and the band are left 0, for the caller to set.
 */
void
gis_spacetime_params_init (GisSpaceTimeParams *params)
{
  g_return_if_fail (params != NULL);
  memset (params, 0, sizeof *params);
  params->shape = GIS_BIN_SQUARE;
  params->step = GIS_TIME_STEP_MONTH;
  params->weights = GIS_GISTAR_WEIGHTS_BAND;
  params->n_previous = GIS_SPACETIME_DEFAULT_PREVIOUS;
}

void
gis_spacetime_result_clear (GisSpaceTimeResult *result)
{
  gis_bins_clear (&result->cells);
  g_clear_pointer (&result->step_start_s, g_free);
  g_clear_pointer (&result->value, g_free);
  g_clear_pointer (&result->count, g_free);
  g_clear_pointer (&result->z, g_free);
  g_clear_pointer (&result->p, g_free);
  g_clear_pointer (&result->bin, g_free);
  g_clear_pointer (&result->n_neighbours, g_free);
  g_clear_pointer (&result->fdr_p, g_free);
  g_clear_pointer (&result->trend, g_free);
  g_clear_pointer (&result->category, g_free);
  g_clear_pointer (&result->point_step, g_free);
  memset (result, 0, sizeof *result);
}

/* ---- calendar steps --------------------------------------------------------------- */

/* Howard Hinnant's algorithms, proleptic Gregorian, days since 1970-01-01 */
static void
civil_from_days (gint64  z,
                 gint64 *out_y,
                 int    *out_m)
{
  gint64 era, y;
  unsigned doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = (gint64) yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *out_m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *out_y = y + (*out_m <= 2);
}

static gint64
days_from_civil (gint64   y,
                 unsigned m)
{
  gint64 era;
  unsigned yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/**
 * gis_time_step_of:
 * @step: months, quarters or years
 * @time_s: a time, Unix seconds (UTC), finite
 *
 * Returns: the number of its step, counted from year 0: year · 12 +
 *   month − 1, year · 4 + quarter − 1, or the year
 */
gint64
gis_time_step_of (GisTimeStep step,
                  double      time_s)
{
  gint64 y;
  int m;

  civil_from_days ((gint64) floor (time_s / 86400), &y, &m);
  switch (step)
    {
    case GIS_TIME_STEP_MONTH:
      return y * 12 + m - 1;
    case GIS_TIME_STEP_QUARTER:
      return y * 4 + (m - 1) / 3;
    case GIS_TIME_STEP_YEAR:
    default:
      return y;
    }
}

/**
 * gis_time_step_start:
 * @step: months, quarters or years
 * @step_number: as gis_time_step_of() numbers them
 *
 * Returns: the step's first second, Unix time
 */
gint64
gis_time_step_start (GisTimeStep step,
                     gint64      step_number)
{
  gint64 y;
  unsigned m;

  switch (step)
    {
    case GIS_TIME_STEP_MONTH:
      y = floor_div (step_number, 12);
      m = (unsigned) (step_number - y * 12) + 1;
      break;
    case GIS_TIME_STEP_QUARTER:
      y = floor_div (step_number, 4);
      m = (unsigned) (step_number - y * 4) * 3 + 1;
      break;
    case GIS_TIME_STEP_YEAR:
    default:
      y = step_number;
      m = 1;
      break;
    }
  return days_from_civil (y, m) * 86400;
}

static const char *const step_names[] = { "month", "quarter", "year" };

/**
 * gis_time_step_to_string:
 *
 * Returns: (transfer none): "month", "quarter" or "year"
 */
const char *
gis_time_step_to_string (GisTimeStep step)
{
  g_return_val_if_fail ((guint) step < G_N_ELEMENTS (step_names), NULL);
  return step_names[step];
}

/**
 * gis_time_step_from_string:
 * @text: "month", "quarter" or "year"
 * @out_step: (out): the step
 *
 * Returns: %TRUE when @text names a step
 */
gboolean
gis_time_step_from_string (const char  *text,
                           GisTimeStep *out_step)
{
  g_return_val_if_fail (out_step != NULL, FALSE);
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (step_names); i++)
    if (g_ascii_strcasecmp (text, step_names[i]) == 0)
      {
        *out_step = (GisTimeStep) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- Gi* on the cube ---------------------------------------------------------------- */

typedef struct
{
  const GisSpaceTimeParams *params;
  GisSpaceTimeResult       *out;
  const GisPointGrid       *grid;       /* of the locations */
  const double             *window;     /* bins: R_jt, the value summed over t − K … t */
  double                    band2;
  double                    d0, power;
  double                    n;          /* bins */
} Cube;

static void
cube_chunk (guint    worker,
            guint    begin,
            guint    end,
            gpointer data)
{
  Cube *c = data;
  const GisPointGrid *grid = c->grid;
  GisSpaceTimeResult *out = c->out;
  GisGiStarWeights kind = c->params->weights;
  guint T = out->n_steps, K = out->n_previous;
  g_autoptr(GArray) nb = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) wt = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree guint *idx = NULL;
  g_autofree double *d2 = NULL;

  if (kind == GIS_GISTAR_WEIGHTS_KNN)
    {
      idx = g_new (guint, c->params->k);
      d2 = g_new (double, c->params->k);
    }

  for (guint s = begin; s < end; s++)
    {
      guint l = grid->order[s];
      double xi = grid->sx[s], yi = grid->sy[s], sw = 0, sw2 = 0;

      g_array_set_size (nb, 0);
      g_array_set_size (wt, 0);
      if (kind == GIS_GISTAR_WEIGHTS_KNN)
        {
          guint found = gis_point_grid_knn (grid, xi, yi, l, c->params->k, idx, d2);

          g_array_append_vals (nb, idx, found);
          for (guint f = 0; f < found; f++)
            {
              double one = 1;

              g_array_append_val (wt, one);
            }
        }
      else
        {
          gint64 row, col;

          gis_point_grid_locate (grid, xi, yi, &row, &col);
          for (gint64 r = row - 1; r <= row + 1; r++)
            for (gint64 cc = col - 1; cc <= col + 1; cc++)
              {
                gint64 cell = gis_point_grid_find (grid, r, cc);

                if (cell < 0)
                  continue;
                for (guint t = grid->start[cell]; t < grid->start[cell + 1]; t++)
                  {
                    double dx = grid->sx[t] - xi, dy = grid->sy[t] - yi, dd = dx * dx + dy * dy, w = 1;

                    if (t == s || !(dd <= c->band2))
                      continue;
                    if (kind == GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE)
                      w = pow (c->d0 / MAX (sqrt (dd), c->d0), c->power);
                    g_array_append_val (nb, grid->order[t]);
                    g_array_append_val (wt, w);
                  }
              }
        }

      /* the location itself, w = 1 */
      {
        double one = 1;

        g_array_append_val (nb, l);
        g_array_append_val (wt, one);
      }
      for (guint f = 0; f < nb->len; f++)
        {
          double w = g_array_index (wt, double, f);

          sw += w;
          sw2 += w * w;
        }

      for (guint t = 0; t < T; t++)
        {
          gsize b = (gsize) l * T + t;
          double lag = 0, m = MIN (t, K) + 1, W = sw * m, S1 = sw2 * m, var, z = 0;

          for (guint f = 0; f < nb->len; f++)
            lag += g_array_index (wt, double, f) * c->window[(gsize) g_array_index (nb, guint, f) * T + t];
          var = (c->n * S1 - W * W) / (c->n - 1);
          if (out->sd > 0 && var > 0)
            z = (lag - out->mean * W) / (out->sd * sqrt (var));
          out->z[b] = z;
          out->p[b] = gis_normal_two_sided_p (z);
          out->n_neighbours[b] = nb->len * (guint) m;
        }
    }
}

/**
 * gis_spacetime_run:
 * @x: (array length=n): eastings of the points, metres
 * @y: (array length=n): northings
 * @weights: (nullable) (array length=n): each point's weight; %NULL: 1 each
 * @time_s: (array length=n): each point's time, Unix seconds (UTC)
 * @n: the number of points
 * @params: cells, step and weights
 * @out: (out caller-allocates): the cube, its Gi*, FDR bins, trends and
 *   categories
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Space-time Gi* and the emerging hot spot categories; see the top of
 * gis-spacetime.c for the definitions.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_spacetime_run (const double              *x,
                   const double              *y,
                   const double              *weights,
                   const double              *time_s,
                   gsize                      n,
                   const GisSpaceTimeParams  *params,
                   GisSpaceTimeResult        *out,
                   GCancellable              *cancellable,
                   GisProgressFunc            progress,
                   gpointer                   progress_data,
                   GError                   **error)
{
  GisPointGrid grid = { 0 };
  Cube c = { 0 };
  g_autofree double *window = NULL;
  g_autofree double *zt = NULL;
  g_autofree double *pt = NULL;
  g_autofree gint8 *bt = NULL;
  gint64 smin = G_MAXINT64, smax = G_MININT64;
  guint L, T;
  double sum = 0, ss = 0, cell;
  gsize nb;
  gboolean ok;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  if ((guint) params->step > GIS_TIME_STEP_YEAR)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Unknown time step"));
      return FALSE;
    }
  if (time_s == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Emerging hot spots need the points’ dates"));
      return FALSE;
    }
  if (params->n_previous > 1000)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("At most 1000 earlier time steps can be neighbours"));
      return FALSE;
    }
  switch (params->weights)
    {
    case GIS_GISTAR_WEIGHTS_BAND:
    case GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE:
      if (!(params->band_m > 0) || !isfinite (params->band_m))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The distance band must be a positive distance"));
          return FALSE;
        }
      if (params->weights == GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE &&
          (params->power < 0 || !isfinite (params->power) || params->idw_min_m < 0 || !isfinite (params->idw_min_m)))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("The inverse-distance power and minimum distance must not be negative"));
          return FALSE;
        }
      break;
    case GIS_GISTAR_WEIGHTS_KNN:
      if (params->k == 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("The number of neighbours must be between 1 and the number of locations less one"));
          return FALSE;
        }
      break;
    default:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Unknown kind of weights"));
      return FALSE;
    }

  if (!gis_bins_from_points (params->shape, params->cell_size_m, x, y, weights, n, FALSE, &out->cells, error))
    return FALSE;
  L = out->cells.n;
  if (L < 3 || (params->weights == GIS_GISTAR_WEIGHTS_KNN && params->k >= L))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The points fill %u cells: at least 3, and more than the number of neighbours, are needed"), L);
      goto fail;
    }

  out->point_step = g_new (guint, n);
  for (gsize i = 0; i < n; i++)
    {
      gint64 s;

      if (!isfinite (time_s[i]) || fabs (time_s[i]) > 1e12)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Point %zu has no date: emerging hot spots need every point’s date"), i + 1);
          goto fail;
        }
      s = gis_time_step_of (params->step, time_s[i]);

      smin = MIN (smin, s);
      smax = MAX (smax, s);
    }
  if ((double) (smax - smin + 1) * L > GIS_SPACETIME_MAX_BINS)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("%.0f space-time bins are too many; choose larger cells or a longer time step"),
                   (double) (smax - smin + 1) * L);
      goto fail;
    }
  T = (guint) (smax - smin + 1);
  nb = (gsize) L * T;
  out->n_locations = L;
  out->n_steps = T;
  out->step = params->step;
  out->n_previous = params->n_previous;
  out->first_step = smin;
  out->step_start_s = g_new (gint64, T + 1);
  for (guint t = 0; t <= T; t++)
    out->step_start_s[t] = gis_time_step_start (params->step, smin + t);

  out->value = g_new0 (double, nb);
  out->count = g_new0 (guint, nb);
  for (gsize i = 0; i < n; i++)
    {
      guint t = (guint) (gis_time_step_of (params->step, time_s[i]) - smin);
      gsize b = (gsize) out->cells.point_bin[i] * T + t;

      out->point_step[i] = t;
      out->value[b] += weights != NULL ? weights[i] : 1;
      out->count[b]++;
    }
  for (gsize b = 0; b < nb; b++)
    sum += out->value[b];
  out->mean = sum / (double) nb;
  for (gsize b = 0; b < nb; b++)
    ss += (out->value[b] - out->mean) * (out->value[b] - out->mean);
  out->sd = sqrt (ss / (double) nb);

  /* R_lt: each location's values summed over the window t − K … t */
  window = g_new (double, nb);
  for (guint l = 0; l < L; l++)
    {
      const double *v = out->value + (gsize) l * T;
      double *r = window + (gsize) l * T;

      for (guint t = 0; t < T; t++)
        {
          double acc = 0;

          for (guint u = t - MIN (t, params->n_previous); u <= t; u++)
            acc += v[u];
          r[t] = acc;
        }
    }

  if (params->weights == GIS_GISTAR_WEIGHTS_KNN)
    {
      double xmin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymin = G_MAXDOUBLE, ymax = -G_MAXDOUBLE;

      for (guint l = 0; l < L; l++)
        {
          xmin = MIN (xmin, out->cells.x[l]);
          xmax = MAX (xmax, out->cells.x[l]);
          ymin = MIN (ymin, out->cells.y[l]);
          ymax = MAX (ymax, out->cells.y[l]);
        }
      cell = sqrt (MAX (xmax - xmin, params->cell_size_m) * MAX (ymax - ymin, params->cell_size_m) *
                   (params->k + 1) / L);
    }
  else
    cell = params->band_m * (1 + BAND_TOLERANCE) * (1 + 1e-12);
  gis_point_grid_init (&grid, out->cells.x, out->cells.y, L, cell);

  c.params = params;
  c.out = out;
  c.grid = &grid;
  c.window = window;
  c.band2 = pow (params->band_m * (1 + BAND_TOLERANCE), 2);
  c.power = params->power > 0 ? params->power : 1;
  c.n = (double) nb;
  if (params->weights == GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE)
    {
      c.d0 = params->idw_min_m > 0 ? params->idw_min_m : gis_point_grid_mean_kth_distance (&grid, 1);
      if (!(c.d0 > 0))
        c.d0 = params->band_m;
    }
  out->idw_min_m = c.d0;

  out->z = g_new (double, nb);
  out->p = g_new (double, nb);
  out->bin = g_new0 (gint8, nb);
  out->n_neighbours = g_new (guint, nb);
  ok = gis_hotspots_parallel (L, CHUNK, gis_hotspots_n_workers (params->n_threads, L, CHUNK),
                              cube_chunk, &c, cancellable, progress, progress_data,
                              _("Space-time Getis-Ord Gi*"), error);
  gis_point_grid_clear (&grid);
  if (!ok)
    goto fail;

  /* FDR within each step */
  zt = g_new (double, L);
  pt = g_new (double, L);
  bt = g_new (gint8, L);
  out->fdr_p = g_new (double, (gsize) T * 3);
  for (guint t = 0; t < T; t++)
    {
      for (guint l = 0; l < L; l++)
        {
          zt[l] = out->z[(gsize) l * T + t];
          pt[l] = out->p[(gsize) l * T + t];
        }
      gis_gistar_fdr_bins (zt, pt, L, bt, out->fdr_p + (gsize) t * 3);
      for (guint l = 0; l < L; l++)
        out->bin[(gsize) l * T + t] = bt[l];
    }

  /* trends and categories */
  out->trend = g_new0 (GisMannKendall, L);
  out->category = g_new (GisEmergingCategory, L);
  for (guint l = 0; l < L; l++)
    {
      gis_mann_kendall (out->z + (gsize) l * T, T, &out->trend[l]);
      out->category[l] = gis_emerging_classify (out->bin + (gsize) l * T, T, &out->trend[l], params->trend_alpha);
      if ((l & 0x3ff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
    }
  return TRUE;

fail:
  gis_spacetime_result_clear (out);
  return FALSE;
}
