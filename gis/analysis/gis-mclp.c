/* gis-mclp.c: the maximal covering location problem
 *
 * Greedy with lazy evaluation (Minoux 1978): the covered demand is
 * submodular, so a candidate's gain only falls as sites are chosen; the
 * heap keeps each candidate's last known gain, and a candidate whose fresh
 * gain still tops the heap is the best.  It is within 1 − 1/e of the
 * optimum, and the data-dependent bound "value + the K largest gains left"
 * (Leskovec et al. 2007) says how close it is on this instance.
 *
 * The exact solver is a depth-first branch and bound over the candidates
 * sorted by their gain alone; a branch is cut when what it has plus the
 * largest gains of the candidates after it (each no more than its gain
 * alone) cannot beat the best found.  It starts from the greedy answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "gis-error.h"
#include "gis-mclp.h"

#define CHECK_EVERY 4096

void
gis_mclp_solution_clear (GisMclpSolution *solution)
{
  g_clear_pointer (&solution->chosen, g_free);
  g_clear_pointer (&solution->added, g_free);
  memset (solution, 0, sizeof *solution);
}

static gboolean
check_problem (const GisMclpProblem  *p,
               GError               **error)
{
  if (p->k == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Choose at least one site"));
      return FALSE;
    }
  for (guint c = 0; c < p->n_candidates; c++)
    if (p->start[c + 1] < p->start[c])
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The covering sets are malformed"));
        return FALSE;
      }
  for (guint i = 0; i < p->start[p->n_candidates]; i++)
    if (p->items[i] >= p->n_demand)
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The covering sets are malformed"));
        return FALSE;
      }
  return TRUE;
}

/* The demand @c adds to what @covered holds (a point listed twice counts
 * once: @covered is marked 2 on the way and put back). */
static double
marginal (const GisMclpProblem *p,
          guint8               *covered,
          guint                 c)
{
  double g = 0;

  for (guint i = p->start[c]; i < p->start[c + 1]; i++)
    if (covered[p->items[i]] == 0)
      {
        g += p->weights[p->items[i]];
        covered[p->items[i]] = 2;
      }
  for (guint i = p->start[c]; i < p->start[c + 1]; i++)
    if (covered[p->items[i]] == 2)
      covered[p->items[i]] = 0;
  return g;
}

/**
 * gis_mclp_value:
 * @sites: (array length=n_sites): candidate indices
 *
 * Returns: the demand @sites cover together
 */
double
gis_mclp_value (const GisMclpProblem *problem,
                const guint          *sites,
                guint                 n_sites)
{
  g_autofree guint8 *covered = g_new0 (guint8, MAX (problem->n_demand, 1));
  double v = 0;

  for (guint s = 0; s < n_sites; s++)
    for (guint i = problem->start[sites[s]]; i < problem->start[sites[s] + 1]; i++)
      if (!covered[problem->items[i]])
        {
          covered[problem->items[i]] = 1;
          v += problem->weights[problem->items[i]];
        }
  return v;
}

/* ---- greedy ------------------------------------------------------------------ */

typedef struct
{
  double gain;
  guint  c;
} Entry;

/* a before b in the heap: more gain, then the lower index */
static inline gboolean
entry_before (const Entry *a,
              const Entry *b)
{
  return a->gain > b->gain || (a->gain == b->gain && a->c < b->c);
}

static void
heap_push (GArray *heap,
           Entry   e)
{
  guint i;

  g_array_append_val (heap, e);
  i = heap->len - 1;
  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      Entry *a = &g_array_index (heap, Entry, i), *b = &g_array_index (heap, Entry, parent);

      if (!entry_before (a, b))
        break;
      {
        Entry t = *a;

        *a = *b;
        *b = t;
      }
      i = parent;
    }
}

static Entry
heap_pop (GArray *heap)
{
  Entry top = g_array_index (heap, Entry, 0);
  guint i = 0, n;

  g_array_index (heap, Entry, 0) = g_array_index (heap, Entry, heap->len - 1);
  g_array_set_size (heap, heap->len - 1);
  n = heap->len;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, best = i;

      if (l < n && entry_before (&g_array_index (heap, Entry, l), &g_array_index (heap, Entry, best)))
        best = l;
      if (r < n && entry_before (&g_array_index (heap, Entry, r), &g_array_index (heap, Entry, best)))
        best = r;
      if (best == i)
        break;
      {
        Entry t = g_array_index (heap, Entry, i);

        g_array_index (heap, Entry, i) = g_array_index (heap, Entry, best);
        g_array_index (heap, Entry, best) = t;
      }
      i = best;
    }
  return top;
}

static int
compare_desc (gconstpointer a,
              gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/**
 * gis_mclp_greedy:
 * @problem: the instance
 * @out: (out caller-allocates): the sites, with each one's added demand and
 *   the instance's upper bound
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Picks up to K sites, each the one that adds the most demand to those
 * before it (the lowest index among equals); stops early when no site
 * adds any.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_mclp_greedy (const GisMclpProblem  *problem,
                 GisMclpSolution       *out,
                 GCancellable          *cancellable,
                 GError               **error)
{
  const GisMclpProblem *p = problem;
  g_autofree guint8 *covered = NULL;
  g_autofree guint8 *taken = NULL;
  g_autoptr(GArray) heap = g_array_sized_new (FALSE, FALSE, sizeof (Entry), p->n_candidates);
  g_autofree double *left = NULL;
  guint64 evaluations = 0;

  memset (out, 0, sizeof *out);
  if (!check_problem (p, error))
    return FALSE;

  covered = g_new0 (guint8, MAX (p->n_demand, 1));
  taken = g_new0 (guint8, MAX (p->n_candidates, 1));
  out->chosen = g_new0 (guint, p->k);
  out->added = g_new0 (double, p->k);

  for (guint c = 0; c < p->n_candidates; c++)
    heap_push (heap, (Entry) { marginal (p, covered, c), c });

  while (out->n_chosen < p->k && heap->len > 0)
    {
      Entry top = heap_pop (heap);

      top.gain = marginal (p, covered, top.c);
      if (++evaluations % CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          gis_mclp_solution_clear (out);
          return FALSE;
        }

      /* a stale entry is an upper bound on its fresh gain */
      if (heap->len > 0 && !entry_before (&top, &g_array_index (heap, Entry, 0)))
        {
          heap_push (heap, top);
          continue;
        }
      if (top.gain <= 0)
        break;

      out->chosen[out->n_chosen] = top.c;
      out->added[out->n_chosen] = top.gain;
      out->n_chosen++;
      out->value += top.gain;
      taken[top.c] = 1;
      for (guint i = p->start[top.c]; i < p->start[top.c + 1]; i++)
        covered[p->items[i]] = 1;
    }

  /* what K more sites could add at most, given these */
  left = g_new (double, MAX (p->n_candidates, 1));
  {
    guint n = 0;
    double extra = 0;

    for (guint c = 0; c < p->n_candidates; c++)
      if (!taken[c])
        left[n++] = marginal (p, covered, c);
    qsort (left, n, sizeof (double), compare_desc);
    for (guint i = 0; i < n && i < p->k; i++)
      extra += left[i];
    out->upper_bound = out->value + extra;
  }
  out->optimal = out->upper_bound <= out->value;
  return TRUE;
}

/* ---- branch and bound -------------------------------------------------------------- */

typedef struct
{
  const GisMclpProblem *p;
  guint                *order;      /* candidates by gain alone, most first */
  double               *prefix;     /* prefix[i]: sum of the first i gains in that order */
  guint32              *count;      /* how many chosen sites cover each demand point */
  guint                *current;
  guint                *best;
  guint                 n_best;
  double                best_value;
  guint64               nodes;
  guint64               max_nodes;
  GCancellable         *cancellable;
  gboolean              stopped;
} Search;

static void
search (Search *s,
        guint   pos,
        guint   n_current,
        double  value)
{
  const GisMclpProblem *p = s->p;
  guint room = p->k - n_current;
  guint end;
  guint c;

  if (s->stopped)
    return;
  if (++s->nodes > s->max_nodes ||
      (s->nodes % CHECK_EVERY == 0 && g_cancellable_is_cancelled (s->cancellable)))
    {
      s->stopped = TRUE;
      return;
    }

  if (value > s->best_value)
    {
      s->best_value = value;
      s->n_best = n_current;
      memcpy (s->best, s->current, n_current * sizeof (guint));
    }
  if (room == 0 || pos >= p->n_candidates)
    return;

  /* the best this branch can reach */
  end = MIN (p->n_candidates, pos + room);
  if (value + (s->prefix[end] - s->prefix[pos]) <= s->best_value * (1 + 1e-12))
    return;

  c = s->order[pos];

  /* with c */
  {
    double v = value;

    for (guint i = p->start[c]; i < p->start[c + 1]; i++)
      if (s->count[p->items[i]]++ == 0)
        v += p->weights[p->items[i]];
    s->current[n_current] = c;
    search (s, pos + 1, n_current + 1, v);
    for (guint i = p->start[c]; i < p->start[c + 1]; i++)
      s->count[p->items[i]]--;
  }
  /* without c */
  search (s, pos + 1, n_current, value);
}

static int
compare_by_gain (gconstpointer a,
                 gconstpointer b,
                 gpointer      data)
{
  const double *gain = data;
  guint x = *(const guint *) a, y = *(const guint *) b;

  if (gain[x] != gain[y])
    return gain[x] < gain[y] ? 1 : -1;
  return x < y ? -1 : x > y;
}

/**
 * gis_mclp_exact:
 * @problem: the instance
 * @max_nodes: give up after this many branch-and-bound nodes
 * @out: (out caller-allocates): the optimum, with @optimal set when the
 *   search finished; else the best found, no worse than greedy
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Returns: %TRUE on success (finished or not: see @out->optimal)
 */
gboolean
gis_mclp_exact (const GisMclpProblem  *problem,
                guint64                max_nodes,
                GisMclpSolution       *out,
                GCancellable          *cancellable,
                GError               **error)
{
  const GisMclpProblem *p = problem;
  g_auto(GisMclpSolution) greedy = { 0 };
  g_autofree double *gain = NULL;
  g_autofree guint8 *none = NULL;
  Search s = { 0 };

  memset (out, 0, sizeof *out);
  if (!gis_mclp_greedy (p, &greedy, cancellable, error))
    return FALSE;

  none = g_new0 (guint8, MAX (p->n_demand, 1));
  gain = g_new (double, MAX (p->n_candidates, 1));
  s.p = p;
  s.order = g_new (guint, MAX (p->n_candidates, 1));
  s.prefix = g_new (double, p->n_candidates + 1);
  s.count = g_new0 (guint32, MAX (p->n_demand, 1));
  s.current = g_new (guint, p->k);
  s.best = g_new (guint, p->k);
  s.max_nodes = max_nodes;
  s.cancellable = cancellable;
  for (guint c = 0; c < p->n_candidates; c++)
    {
      gain[c] = marginal (p, none, c);
      s.order[c] = c;
    }
  g_qsort_with_data (s.order, p->n_candidates, sizeof (guint), compare_by_gain, gain);
  s.prefix[0] = 0;
  for (guint i = 0; i < p->n_candidates; i++)
    s.prefix[i + 1] = s.prefix[i] + gain[s.order[i]];

  /* the greedy answer is the first incumbent */
  s.best_value = greedy.value;
  s.n_best = greedy.n_chosen;
  memcpy (s.best, greedy.chosen, greedy.n_chosen * sizeof (guint));

  search (&s, 0, 0, 0.0);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  out->n_chosen = s.n_best;
  out->chosen = g_new0 (guint, p->k);
  out->added = g_new0 (double, p->k);
  memcpy (out->chosen, s.best, s.n_best * sizeof (guint));
  /* in the order of what each adds, as greedy reports them */
  {
    g_autofree guint8 *covered = g_new0 (guint8, MAX (p->n_demand, 1));
    g_autofree guint8 *used = g_new0 (guint8, s.n_best + 1);

    for (guint step = 0; step < s.n_best; step++)
      {
        guint best_j = 0;
        double best_g = -1;

        for (guint j = 0; j < s.n_best; j++)
          if (!used[j])
            {
              double g = marginal (p, covered, s.best[j]);

              if (g > best_g || (g == best_g && s.best[j] < s.best[best_j]))
                {
                  best_g = g;
                  best_j = j;
                }
            }
        used[best_j] = 1;
        out->chosen[step] = s.best[best_j];
        out->added[step] = best_g;
        out->value += best_g;
        for (guint i = p->start[s.best[best_j]]; i < p->start[s.best[best_j] + 1]; i++)
          covered[p->items[i]] = 1;
      }
  }
  out->optimal = !s.stopped;
  out->upper_bound = out->optimal ? out->value : greedy.upper_bound;
  out->nodes = s.nodes;

  g_free (s.order);
  g_free (s.prefix);
  g_free (s.count);
  g_free (s.current);
  g_free (s.best);
  return TRUE;

fail:
  g_free (s.order);
  g_free (s.prefix);
  g_free (s.count);
  g_free (s.current);
  g_free (s.best);
  return FALSE;
}
