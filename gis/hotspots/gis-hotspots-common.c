/* gis-hotspots-common.c: the parallel loop, the key sort and the point grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-hotspots"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "gis-hotspots-private.h"

/* ---- parallel loop ---------------------------------------------------------- */

typedef struct
{
  guint                 n_items;
  guint                 chunk;
  GisHotspotsChunkFunc  func;
  gpointer              data;
  gint                  next;      /* atomic: the next item to hand out */
  gint                  done;      /* atomic: items finished */
  gint                  stop;      /* atomic: give up */
} Loop;

typedef struct
{
  Loop  *loop;
  guint  worker;
} Worker;

/* Runs one chunk; FALSE when there is nothing left. */
static gboolean
loop_step (Loop  *loop,
           guint  worker)
{
  guint begin, end;

  if (g_atomic_int_get (&loop->stop))
    return FALSE;
  begin = (guint) g_atomic_int_add (&loop->next, (gint) loop->chunk);
  if (begin >= loop->n_items)
    return FALSE;
  end = MIN (loop->n_items, begin + loop->chunk);
  loop->func (worker, begin, end, loop->data);
  g_atomic_int_add (&loop->done, (gint) (end - begin));
  return TRUE;
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;

  while (loop_step (w->loop, w->worker))
    ;
  return NULL;
}

/* How many workers gis_hotspots_parallel() will use: @wanted (0: one per
 * processor), no more than there are chunks. */
guint
gis_hotspots_n_workers (guint wanted,
                        guint n_items,
                        guint chunk)
{
  guint n_chunks = (n_items + chunk - 1) / MAX (chunk, 1);

  if (wanted == 0)
    wanted = (guint) g_get_num_processors ();
  return CLAMP (MIN (wanted, n_chunks), 1, 64);
}

/* Runs @func over [0, @n_items) in chunks of @chunk on @n_workers threads,
 * the calling thread being worker 0: it checks @cancellable and reports
 * progress between its chunks.  Chunks are handed out in order, so work
 * whose cost varies along the items balances itself. */
gboolean
gis_hotspots_parallel (guint                 n_items,
                       guint                 chunk,
                       guint                 n_workers,
                       GisHotspotsChunkFunc  func,
                       gpointer              data,
                       GCancellable         *cancellable,
                       GisProgressFunc       progress,
                       gpointer              progress_data,
                       const char           *message,
                       GError              **error)
{
  Loop loop = { n_items, MAX (chunk, 1), func, data, 0, 0, 0 };
  g_autofree GThread **threads = NULL;
  g_autofree Worker *workers = NULL;
  gint64 last_report = 0;
  gboolean cancelled = FALSE;

  g_assert (n_items <= G_MAXINT / 2);
  n_workers = CLAMP (n_workers, 1, 64);
  threads = g_new0 (GThread *, n_workers);
  workers = g_new0 (Worker, n_workers);
  for (guint w = 1; w < n_workers; w++)
    {
      workers[w] = (Worker) { &loop, w };
      threads[w] = g_thread_new ("gis-hotspots", worker_main, &workers[w]);
    }

  for (;;)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_atomic_int_set (&loop.stop, 1);
          cancelled = TRUE;
          break;
        }
      if (!loop_step (&loop, 0))
        break;
      if (progress != NULL)
        {
          gint64 now = g_get_monotonic_time ();

          if (now - last_report > 100000)
            {
              last_report = now;
              progress ((double) g_atomic_int_get (&loop.done) / MAX (n_items, 1), message, progress_data);
            }
        }
    }

  for (guint w = 1; w < n_workers; w++)
    g_thread_join (threads[w]);

  if (cancelled)
    return !g_cancellable_set_error_if_cancelled (cancellable, error);
  if (progress != NULL)
    progress (1.0, message, progress_data);
  return TRUE;
}

/* ---- sorting ---------------------------------------------------------------- */

/* Sorts @keys ascending, moving @values along; stable.  LSD radix sort on
 * 16-bit digits, skipping the digits every key shares. */
void
gis_hotspots_sort_keys (guint64 *keys,
                        guint   *values,
                        gsize    n)
{
  g_autofree guint64 *k2 = NULL;
  g_autofree guint *v2 = NULL;
  g_autofree gsize *count = NULL;
  guint64 *ka = keys, *kb;
  guint *va = values, *vb;
  guint64 all_or = 0, all_and = G_MAXUINT64;

  if (n < 2)
    return;
  for (gsize i = 0; i < n; i++)
    {
      all_or |= keys[i];
      all_and &= keys[i];
    }
  k2 = g_new (guint64, n);
  v2 = g_new (guint, n);
  count = g_new (gsize, 65536);
  kb = k2;
  vb = v2;

  for (guint shift = 0; shift < 64; shift += 16)
    {
      gsize sum = 0;

      if ((((all_or ^ all_and) >> shift) & 0xffff) == 0)
        continue;
      memset (count, 0, 65536 * sizeof (gsize));
      for (gsize i = 0; i < n; i++)
        count[(ka[i] >> shift) & 0xffff]++;
      for (guint d = 0; d < 65536; d++)
        {
          gsize c = count[d];

          count[d] = sum;
          sum += c;
        }
      for (gsize i = 0; i < n; i++)
        {
          gsize to = count[(ka[i] >> shift) & 0xffff]++;

          kb[to] = ka[i];
          vb[to] = va[i];
        }
      {
        guint64 *tk = ka;
        guint *tv = va;

        ka = kb;
        kb = tk;
        va = vb;
        vb = tv;
      }
    }
  if (ka != keys)
    {
      memcpy (keys, ka, n * sizeof (guint64));
      memcpy (values, va, n * sizeof (guint));
    }
}

/* ---- grid index of points --------------------------------------------------- */

void
gis_point_grid_locate (const GisPointGrid *grid,
                       double              x,
                       double              y,
                       gint64             *row,
                       gint64             *col)
{
  *col = (gint64) floor ((x - grid->x0) / grid->cell);
  *row = (gint64) floor ((y - grid->y0) / grid->cell);
}

/* Indexes @n points in cells of side @cell (> 0, finite coordinates). */
void
gis_point_grid_init (GisPointGrid *grid,
                     const double *x,
                     const double *y,
                     guint         n,
                     double        cell)
{
  double xmin = G_MAXDOUBLE, ymin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymax = -G_MAXDOUBLE;
  g_autofree guint64 *keys = NULL;
  guint n_cells = 0;

  g_assert (cell > 0);
  memset (grid, 0, sizeof *grid);
  for (guint i = 0; i < n; i++)
    {
      xmin = MIN (xmin, x[i]);
      xmax = MAX (xmax, x[i]);
      ymin = MIN (ymin, y[i]);
      ymax = MAX (ymax, y[i]);
    }
  if (n == 0)
    xmin = xmax = ymin = ymax = 0;

  /* keep the key in 62 bits: a coarser cell if the extent asks for it */
  while ((xmax - xmin) / cell > 2e9 || (ymax - ymin) / cell > 2e9)
    cell *= 2;
  grid->x0 = xmin;
  grid->y0 = ymin;
  grid->cell = cell;
  grid->ncols = (gint64) floor ((xmax - xmin) / cell) + 1;
  grid->nrows = (gint64) floor ((ymax - ymin) / cell) + 1;
  grid->n = n;

  keys = g_new (guint64, MAX (n, 1));
  grid->order = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      gint64 row, col;

      gis_point_grid_locate (grid, x[i], y[i], &row, &col);
      row = CLAMP (row, 0, grid->nrows - 1);
      col = CLAMP (col, 0, grid->ncols - 1);
      keys[i] = (guint64) row * (guint64) grid->ncols + (guint64) col;
      grid->order[i] = i;
    }
  gis_hotspots_sort_keys (keys, grid->order, n);

  for (guint i = 0; i < n; i++)
    if (i == 0 || keys[i] != keys[i - 1])
      n_cells++;
  grid->n_cells = n_cells;
  grid->keys = g_new (guint64, MAX (n_cells, 1));
  grid->start = g_new (guint, n_cells + 1);
  n_cells = 0;
  for (guint i = 0; i < n; i++)
    if (i == 0 || keys[i] != keys[i - 1])
      {
        grid->keys[n_cells] = keys[i];
        grid->start[n_cells++] = i;
      }
  grid->start[n_cells] = n;

  grid->sx = g_new (double, MAX (n, 1));
  grid->sy = g_new (double, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      grid->sx[i] = x[grid->order[i]];
      grid->sy[i] = y[grid->order[i]];
    }

  /* a direct table when it costs no more than a few words per point */
  if ((double) grid->ncols * (double) grid->nrows <= MAX (4.0 * n, 65536.0))
    {
      gsize size = (gsize) (grid->ncols * grid->nrows);

      grid->dense = g_new (guint, size);
      memset (grid->dense, 0xff, size * sizeof (guint));
      for (guint c = 0; c < n_cells; c++)
        grid->dense[grid->keys[c]] = c;
    }
}

void
gis_point_grid_clear (GisPointGrid *grid)
{
  g_clear_pointer (&grid->keys, g_free);
  g_clear_pointer (&grid->start, g_free);
  g_clear_pointer (&grid->order, g_free);
  g_clear_pointer (&grid->sx, g_free);
  g_clear_pointer (&grid->sy, g_free);
  g_clear_pointer (&grid->dense, g_free);
  memset (grid, 0, sizeof *grid);
}

/* The index of the cell (@row, @col), or -1 when it is empty or outside. */
gint64
gis_point_grid_find (const GisPointGrid *grid,
                     gint64              row,
                     gint64              col)
{
  guint64 key;
  guint lo = 0, hi = grid->n_cells;

  if (row < 0 || col < 0 || row >= grid->nrows || col >= grid->ncols)
    return -1;
  key = (guint64) row * (guint64) grid->ncols + (guint64) col;
  if (grid->dense != NULL)
    return grid->dense[key] == G_MAXUINT ? -1 : (gint64) grid->dense[key];
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (grid->keys[mid] < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < grid->n_cells && grid->keys[lo] == key ? (gint64) lo : -1;
}

/* keeps the best @k so far, sorted ascending by (d2, idx) */
static inline void
knn_insert (guint  *idx,
            double *d2,
            guint  *found,
            guint   k,
            guint   j,
            double  dj)
{
  guint pos = *found;

  if (*found == k)
    {
      if (dj > d2[k - 1] || (dj == d2[k - 1] && j > idx[k - 1]))
        return;
      pos = k - 1;
    }
  else
    (*found)++;
  while (pos > 0 && (d2[pos - 1] > dj || (d2[pos - 1] == dj && idx[pos - 1] > j)))
    {
      d2[pos] = d2[pos - 1];
      idx[pos] = idx[pos - 1];
      pos--;
    }
  d2[pos] = dj;
  idx[pos] = j;
}

guint
gis_point_grid_knn (const GisPointGrid *grid,
                    double              x,
                    double              y,
                    guint               skip,
                    guint               k,
                    guint              *idx,
                    double             *d2)
{
  gint64 row, col;
  guint found = 0;
  gint64 max_ring;

  if (k == 0 || grid->n == 0)
    return 0;
  gis_point_grid_locate (grid, x, y, &row, &col);
  max_ring = MAX (MAX (row, grid->nrows - 1 - row), MAX (col, grid->ncols - 1 - col));
  for (gint64 ring = 0; ring <= max_ring; ring++)
    {
      for (gint64 r = row - ring; r <= row + ring; r++)
        {
          gint64 step = (r == row - ring || r == row + ring) ? 1 : 2 * ring;

          if (r < 0 || r >= grid->nrows)
            continue;
          for (gint64 c = col - ring; c <= col + ring; c += MAX (step, 1))
            {
              gint64 cell = gis_point_grid_find (grid, r, c);

              if (cell < 0)
                continue;
              for (guint s = grid->start[cell]; s < grid->start[cell + 1]; s++)
                {
                  guint j = grid->order[s];
                  double dx = grid->sx[s] - x, dy = grid->sy[s] - y;

                  if (j != skip)
                    knn_insert (idx, d2, &found, k, j, dx * dx + dy * dy);
                }
            }
        }
      /* every point beyond this ring is further than ring * cell */
      if (found == k)
        {
          double reach = ring * grid->cell;

          if (d2[k - 1] <= reach * reach)
            break;
        }
    }
  return found;
}

typedef struct
{
  const GisPointGrid *grid;
  guint               k;
  double             *sums;     /* per worker */
} KthData;

static void
kth_chunk (guint    worker,
           guint    begin,
           guint    end,
           gpointer data)
{
  KthData *kd = data;
  g_autofree guint *idx = g_new (guint, kd->k);
  g_autofree double *d2 = g_new (double, kd->k);
  double sum = 0;

  for (guint s = begin; s < end; s++)
    {
      guint found = gis_point_grid_knn (kd->grid, kd->grid->sx[s], kd->grid->sy[s],
                                        kd->grid->order[s], kd->k, idx, d2);

      if (found > 0)
        sum += sqrt (d2[found - 1]);
    }
  kd->sums[worker] += sum;
}

double
gis_point_grid_mean_kth_distance (const GisPointGrid *grid,
                                  guint               k)
{
  guint workers = gis_hotspots_n_workers (0, grid->n, 4096);
  g_autofree double *sums = g_new0 (double, workers);
  KthData kd = { grid, MAX (k, 1), sums };
  double sum = 0;

  if (grid->n < 2)
    return 0;
  gis_hotspots_parallel (grid->n, 4096, workers, kth_chunk, &kd, NULL, NULL, NULL, NULL, NULL);
  for (guint w = 0; w < workers; w++)
    sum += sums[w];
  return sum / grid->n;
}
