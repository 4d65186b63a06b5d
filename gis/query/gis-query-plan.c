/* gis-query-plan.c: from a query to one SELECT on the store, and its run
 *
 * The query becomes
 *
 *   SELECT t.fid FROM "target" AS t WHERE <condition> ORDER BY t.fid
 *
 * where every value is a bound parameter and every name is a column or
 * table the store's schema has, quoted.  Each spatial condition is first
 * resolved over the layers' R*Tree indexes by gis_query_spatial_eval()
 * into a temporary table of fids, which the condition reads as
 * "t.fid IN (SELECT fid FROM temp.atalaya_set_N)"; AND, OR and NOT
 * combine them with the attribute and date conditions in SQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "gis-error.h"
#include "gis-query-plan.h"
#include "gis-query-private.h"
#include "gis-query-spatial-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

typedef enum
{
  PARAM_INT,
  PARAM_REAL,
  PARAM_TEXT,
} ParamType;

typedef struct
{
  ParamType  type;
  gint64     i;
  double     d;
  char      *s;
} Param;

typedef struct
{
  guint            id;
  GisQueryNode    *node;          /* borrowed from the query */
  GisSpatialSpec   spec;          /* spec.ref_layer owned */
  char            *ref_wkt;
  char            *set_table;
  GArray          *fids;          /* while running */
} Leaf;

struct _GisQueryPlan
{
  GisStore      *store;
  GisQuery      *query;
  GisLayer      *target;
  GPtrArray     *fields;          /* GisField of the target */
  gboolean       target_has_geometry;
  char          *target_index;
  GString       *sql;
  GPtrArray     *params;          /* Param */
  GPtrArray     *leaves;          /* Leaf */
};

/* ---- parameters and names ------------------------------------------------ */

static void
param_free (Param *p)
{
  g_free (p->s);
  g_free (p);
}

/* Adds a parameter; returns its number for "?NNN". */
static guint
add_param (GisQueryPlan *plan,
           ParamType     type,
           gint64        i,
           double        d,
           const char   *s)
{
  Param *p = g_new0 (Param, 1);

  p->type = type;
  p->i = i;
  p->d = d;
  p->s = g_strdup (s);
  g_ptr_array_add (plan->params, p);
  return plan->params->len;
}

static guint
add_int (GisQueryPlan *plan,
         gint64        i)
{
  return add_param (plan, PARAM_INT, i, 0, NULL);
}

static guint
add_real (GisQueryPlan *plan,
          double        d)
{
  return add_param (plan, PARAM_REAL, 0, d, NULL);
}

static guint
add_text (GisQueryPlan *plan,
          const char   *s)
{
  return add_param (plan, PARAM_TEXT, 0, 0, s);
}

static gboolean
check_spatial_layer (GisQueryPlan  *plan,
                     GisLayer      *layer,
                     GError       **error)
{
  g_autofree char *idx = NULL;

  if (gis_layer_get_geometry_type (layer) == NULL || gis_layer_is_raster (layer))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has no geometry: it cannot take part in a spatial condition"),
                   gis_layer_get_name (layer));
      return FALSE;
    }
  idx = gis_query_index_table (layer);
  if (!gis_sql_table_exists (gis_store_get_db (plan->store), idx))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                   _("Layer “%s” has no spatial index (%s)"), gis_layer_get_name (layer), idx);
      return FALSE;
    }
  return TRUE;
}

/* The target's field named @name (any case), as the schema spells it. */
static const GisField *
find_field (GisQueryPlan *plan,
            const char   *name)
{
  for (guint i = 0; i < plan->fields->len; i++)
    {
      const GisField *f = g_ptr_array_index (plan->fields, i);

      if (g_ascii_strcasecmp (f->name, name) == 0)
        return f;
    }
  return NULL;
}

/* Binds a comparison value as the field's type wants it. */
static gboolean
add_value (GisQueryPlan    *plan,
           const GisField  *field,
           GisCompareOp     op,
           const char      *value,
           guint           *out_index,
           GError         **error)
{
  if (op == GIS_COMPARE_LIKE || field->type == GIS_FIELD_TEXT)
    {
      *out_index = add_text (plan, value);
      return TRUE;
    }

  if (field->type == GIS_FIELD_INTEGER || field->type == GIS_FIELD_REAL)
    {
      char *end = NULL;
      double d = g_ascii_strtod (value, &end);

      while (end != NULL && g_ascii_isspace (*end))
        end++;
      if (end == value || end == NULL || *end != '\0' || !isfinite (d))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Field “%s” of layer “%s” holds numbers; “%s” is not one"),
                       field->name, gis_layer_get_name (plan->target), value);
          return FALSE;
        }
      if (d == floor (d) && fabs (d) < 9007199254740992.0)
        *out_index = add_int (plan, (gint64) d);
      else
        *out_index = add_real (plan, d);
      return TRUE;
    }

  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
               _("Field “%s” of layer “%s” holds binary data: it can only be compared with “is null”"),
               field->name, gis_layer_get_name (plan->target));
  return FALSE;
}

/* ---- compiling --------------------------------------------------------------- */

static gboolean compile_node (GisQueryPlan  *plan,
                              GisQueryNode  *node,
                              GError       **error);

static gboolean
compile_compare (GisQueryPlan  *plan,
                 GisQueryNode  *node,
                 GError       **error)
{
  const char *name = gis_query_node_get_field (node);
  const char *const *values = gis_query_node_get_values (node);
  GisCompareOp op = gis_query_node_get_compare_op (node);
  const GisField *field;
  GisField fid_field = { (char *) "fid", GIS_FIELD_INTEGER };
  g_autofree char *qf = NULL;
  guint a, b;

  field = g_ascii_strcasecmp (name, "fid") == 0 ? &fid_field : find_field (plan, name);
  if (field == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("Layer “%s” has no field “%s”"),
                   gis_layer_get_name (plan->target), name);
      return FALSE;
    }
  qf = gis_sql_quote_ident (field->name);

  switch (op)
    {
    case GIS_COMPARE_IS_NULL:
      g_string_append_printf (plan->sql, "t.%s IS NULL", qf);
      return TRUE;
    case GIS_COMPARE_IS_NOT_NULL:
      g_string_append_printf (plan->sql, "t.%s IS NOT NULL", qf);
      return TRUE;
    case GIS_COMPARE_BETWEEN:
      if (!add_value (plan, field, op, values[0], &a, error) ||
          !add_value (plan, field, op, values[1], &b, error))
        return FALSE;
      g_string_append_printf (plan->sql, "t.%s BETWEEN ?%u AND ?%u", qf, a, b);
      return TRUE;
    case GIS_COMPARE_IN:
      g_string_append_printf (plan->sql, "t.%s IN (", qf);
      for (guint i = 0; values[i] != NULL; i++)
        {
          if (!add_value (plan, field, op, values[i], &a, error))
            return FALSE;
          g_string_append_printf (plan->sql, i > 0 ? ", ?%u" : "?%u", a);
        }
      g_string_append_c (plan->sql, ')');
      return TRUE;
    case GIS_COMPARE_LIKE:
      if (!add_value (plan, field, op, values[0], &a, error))
        return FALSE;
      g_string_append_printf (plan->sql, "t.%s LIKE ?%u", qf, a);
      return TRUE;
    case GIS_COMPARE_EQ:
    case GIS_COMPARE_NE:
    case GIS_COMPARE_LT:
    case GIS_COMPARE_LE:
    case GIS_COMPARE_GT:
    case GIS_COMPARE_GE:
    default:
      if (!add_value (plan, field, op, values[0], &a, error))
        return FALSE;
      g_string_append_printf (plan->sql, "t.%s %s ?%u", qf,
                              op == GIS_COMPARE_NE ? "<>" : gis_compare_op_to_string (op), a);
      return TRUE;
    }
}

static char *
iso_utc (gint64 unix_s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_s);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
compile_date (GisQueryPlan  *plan,
              GisQueryNode  *node,
              GError       **error)
{
  const char *from = gis_query_node_get_date_from (node);
  const char *to = gis_query_node_get_date_to (node);
  const GisField *field = find_field (plan, "occurred_at");
  gint64 s;

  if (field == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has no dates (no date column was mapped when it was imported)"),
                   gis_layer_get_name (plan->target));
      return FALSE;
    }

  /* dates are ISO 8601 text in UTC ("2021-06-01T13:45:00Z"): text order is time order */
  g_string_append_c (plan->sql, '(');
  if (from != NULL)
    {
      g_autofree char *iso = NULL;

      if (!gis_query_parse_period (from, FALSE, &s))
        g_return_val_if_reached (FALSE);
      iso = iso_utc (s);
      g_string_append_printf (plan->sql, "t.occurred_at >= ?%u", add_text (plan, iso));
    }
  if (to != NULL)
    {
      g_autofree char *iso = NULL;

      if (!gis_query_parse_period (to, TRUE, &s))
        g_return_val_if_reached (FALSE);
      iso = iso_utc (s);
      g_string_append_printf (plan->sql, "%st.occurred_at <= ?%u", from != NULL ? " AND " : "",
                              add_text (plan, iso));
    }
  g_string_append_c (plan->sql, ')');
  return TRUE;
}

static void
leaf_free (Leaf *leaf)
{
  g_clear_object (&leaf->spec.ref_layer);
  g_free (leaf->ref_wkt);
  g_free (leaf->set_table);
  g_clear_pointer (&leaf->fids, g_array_unref);
  g_free (leaf);
}

static gboolean
compile_spatial (GisQueryPlan  *plan,
                 GisQueryNode  *node,
                 GError       **error)
{
  static gint counter;
  Leaf *leaf = g_new0 (Leaf, 1);
  g_autofree char *qs = NULL;
  double km = gis_query_node_get_distance_km (node);

  leaf->id = plan->leaves->len;
  leaf->node = node;
  leaf->spec.op = gis_query_node_get_spatial_op (node);
  leaf->spec.mode = gis_query_node_get_distance_mode (node);
  leaf->spec.distance_m = km * 1000.0;
  leaf->spec.n_nearest = gis_query_node_get_n_nearest (node);
  g_ptr_array_add (plan->leaves, leaf);

  if (!plan->target_has_geometry)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has no geometry: it cannot take part in a spatial condition"),
                   gis_layer_get_name (plan->target));
      return FALSE;
    }
  if (leaf->spec.op == GIS_SPATIAL_WITHIN && !(km >= 0 && km <= GIS_QUERY_MAX_DISTANCE_KM))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("A distance must be from 0 to %g km, not %g"), GIS_QUERY_MAX_DISTANCE_KM, km);
      return FALSE;
    }
  if (leaf->spec.op == GIS_SPATIAL_NEAREST &&
      (leaf->spec.n_nearest < 1 || leaf->spec.n_nearest > GIS_QUERY_MAX_NEAREST))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“nearest” takes 1 to %d features, not %u"), GIS_QUERY_MAX_NEAREST,
                   leaf->spec.n_nearest);
      return FALSE;
    }

  if (gis_query_node_get_layer (node) != NULL)
    {
      leaf->spec.ref_layer = gis_store_get_layer (plan->store, gis_query_node_get_layer (node), error);
      if (leaf->spec.ref_layer == NULL || !check_spatial_layer (plan, leaf->spec.ref_layer, error))
        return FALSE;
    }
  else
    {
      if (!gis_query_check_wkt (gis_query_node_get_wkt (node), NULL, error))
        return FALSE;
      leaf->ref_wkt = g_strdup (gis_query_node_get_wkt (node));
      leaf->spec.ref_wkt = leaf->ref_wkt;
    }

  /* the condition's features are found first (gis_query_spatial_eval())
   * into a temporary table the SELECT reads; its name is ours alone */
  leaf->set_table = g_strdup_printf ("atalaya_set_%d", g_atomic_int_add (&counter, 1));
  qs = gis_sql_quote_ident (leaf->set_table);
  if (leaf->spec.op == GIS_SPATIAL_DISJOINT)
    g_string_append_printf (plan->sql, "(t.geom IS NOT NULL AND t.fid NOT IN (SELECT fid FROM temp.%s))", qs);
  else
    g_string_append_printf (plan->sql, "t.fid IN (SELECT fid FROM temp.%s)", qs);
  return TRUE;
}

static gboolean
compile_node (GisQueryPlan  *plan,
              GisQueryNode  *node,
              GError       **error)
{
  switch (gis_query_node_get_kind (node))
    {
    case GIS_QUERY_NODE_AND:
    case GIS_QUERY_NODE_OR:
      g_string_append_c (plan->sql, '(');
      for (guint i = 0; i < gis_query_node_get_n_children (node); i++)
        {
          if (i > 0)
            g_string_append (plan->sql, gis_query_node_get_kind (node) == GIS_QUERY_NODE_AND ? " AND " : " OR ");
          if (!compile_node (plan, gis_query_node_get_child (node, i), error))
            return FALSE;
        }
      g_string_append_c (plan->sql, ')');
      return TRUE;

    case GIS_QUERY_NODE_NOT:
      /* NOT of an unknown (NULL) comparison is unknown: "not severity > 3"
       * means "severity is not above 3", rows without a severity included */
      g_string_append (plan->sql, "NOT coalesce(");
      if (!compile_node (plan, gis_query_node_get_child (node, 0), error))
        return FALSE;
      g_string_append (plan->sql, ", 0)");
      return TRUE;

    case GIS_QUERY_NODE_SPATIAL:
      return compile_spatial (plan, node, error);

    case GIS_QUERY_NODE_COMPARE:
      return compile_compare (plan, node, error);

    case GIS_QUERY_NODE_DATE:
      return compile_date (plan, node, error);

    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * gis_query_plan:
 * @store: the store the query reads
 * @query: a query
 * @error: return location for an error naming the layer, field or value
 *
 * Checks every layer and field @query names against @store and compiles
 * it to one parameterised SELECT of the target's fids.  The plan runs on
 * the thread that uses @store.
 *
 * Returns: (transfer full) (nullable): the plan
 */
GisQueryPlan *
gis_query_plan (GisStore  *store,
                GisQuery  *query,
                GError   **error)
{
  g_autoptr(GisQueryPlan) plan = g_new0 (GisQueryPlan, 1);
  g_autofree char *qt = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  plan->store = g_object_ref (store);
  plan->query = gis_query_ref (query);
  plan->params = g_ptr_array_new_with_free_func ((GDestroyNotify) param_free);
  plan->leaves = g_ptr_array_new_with_free_func ((GDestroyNotify) leaf_free);
  plan->sql = g_string_new (NULL);

  plan->target = gis_store_get_layer (store, gis_query_get_target (query), error);
  if (plan->target == NULL)
    return NULL;
  if (gis_layer_is_raster (plan->target))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” is a raster: a query selects features"), gis_layer_get_name (plan->target));
      return NULL;
    }
  plan->fields = gis_store_get_fields (store, plan->target, error);
  if (plan->fields == NULL)
    return NULL;
  plan->target_has_geometry = gis_layer_get_geometry_type (plan->target) != NULL;
  plan->target_index = gis_query_index_table (plan->target);
  if (plan->target_has_geometry &&
      !gis_sql_table_exists (gis_store_get_db (store), plan->target_index))
    plan->target_has_geometry = FALSE;

  qt = gis_sql_quote_ident (gis_layer_get_table_name (plan->target));
  g_string_append_printf (plan->sql, "SELECT t.fid FROM %s AS t", qt);
  if (gis_query_get_where (query) != NULL)
    {
      g_string_append (plan->sql, " WHERE ");
      if (!compile_node (plan, gis_query_get_where (query), error))
        return NULL;
    }
  g_string_append (plan->sql, " ORDER BY t.fid");

  return g_steal_pointer (&plan);
}

void
gis_query_plan_free (GisQueryPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_object (&plan->store);
  g_clear_pointer (&plan->query, gis_query_unref);
  g_clear_object (&plan->target);
  g_clear_pointer (&plan->fields, g_ptr_array_unref);
  g_free (plan->target_index);
  if (plan->sql != NULL)
    g_string_free (plan->sql, TRUE);
  g_clear_pointer (&plan->params, g_ptr_array_unref);
  g_clear_pointer (&plan->leaves, g_ptr_array_unref);
  g_free (plan);
}

/**
 * gis_query_plan_get_target:
 *
 * Returns: (transfer none): the target layer
 */
GisLayer *
gis_query_plan_get_target (GisQueryPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->target;
}

/**
 * gis_query_plan_get_sql:
 *
 * Returns: the SELECT, with ?N for its parameters
 */
const char *
gis_query_plan_get_sql (GisQueryPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->sql->str;
}

guint
gis_query_plan_get_n_params (GisQueryPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->params->len;
}

/**
 * gis_query_plan_format_param:
 * @i: from 0
 *
 * Returns: (transfer full): parameter ?(@i + 1) as an SQL literal, for showing
 */
char *
gis_query_plan_format_param (GisQueryPlan *plan,
                             guint         i)
{
  Param *p;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (plan != NULL && i < plan->params->len, NULL);
  p = g_ptr_array_index (plan->params, i);
  switch (p->type)
    {
    case PARAM_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, p->i);
    case PARAM_REAL:
      return g_strdup (g_ascii_dtostr (buf, sizeof buf, p->d));
    case PARAM_TEXT:
    default:
      {
        GString *s = g_string_new ("'");

        for (const char *c = p->s; *c != '\0'; c++)
          {
            if (*c == '\'')
              g_string_append_c (s, '\'');
            g_string_append_c (s, *c);
          }
        g_string_append_c (s, '\'');
        return g_string_free (s, FALSE);
      }
    }
}

/**
 * gis_query_plan_explain:
 *
 * Returns: (transfer full): the SQL and its parameters, for a user to read
 */
char *
gis_query_plan_explain (GisQueryPlan *plan)
{
  GString *out;

  g_return_val_if_fail (plan != NULL, NULL);
  out = g_string_new (plan->sql->str);
  g_string_append_c (out, '\n');
  for (guint i = 0; i < plan->params->len; i++)
    {
      g_autofree char *v = gis_query_plan_format_param (plan, i);

      g_string_append_printf (out, "-- ?%u = %s\n", i + 1, v);
    }
  return g_string_free (out, FALSE);
}

/* ---- running ------------------------------------------------------------------- */

static int
on_progress_handler (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

/* A read-only store keeps PRAGMA query_only on; the temporary tables are
 * no write to the store, and only this code runs while it is off. */
static gboolean
set_query_only (sqlite3  *db,
                gboolean  on,
                gboolean *was_on)
{
  if (was_on != NULL)
    {
      g_autoptr(sqlite3_stmt) q = gis_sql_prepare (db, "PRAGMA query_only", NULL);

      *was_on = q != NULL && sqlite3_step (q) == SQLITE_ROW && sqlite3_column_int (q, 0) != 0;
      if (!*was_on)
        return TRUE;
    }
  return gis_sql_exec (db, on ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0", NULL);
}

static gboolean
fill_set_tables (GisQueryPlan  *plan,
                 GError       **error)
{
  sqlite3 *db = gis_store_get_db (plan->store);
  gboolean was_on = FALSE, ok = TRUE;

  set_query_only (db, FALSE, &was_on);
  gis_sql_exec (db, "PRAGMA temp_store = MEMORY", NULL);
  for (guint i = 0; i < plan->leaves->len && ok; i++)
    {
      Leaf *leaf = g_ptr_array_index (plan->leaves, i);
      g_autofree char *qs = gis_sql_quote_ident (leaf->set_table);
      g_autofree char *insert_sql = g_strdup_printf ("INSERT INTO temp.%s (fid) VALUES (?1)", qs);
      g_autoptr(sqlite3_stmt) insert = NULL;

      ok = gis_sql_execf (db, error, "CREATE TEMP TABLE %s (fid INTEGER PRIMARY KEY)", qs) &&
           gis_sql_exec (db, "SAVEPOINT atalaya_sets", error);
      if (!ok)
        break;
      insert = gis_sql_prepare (db, insert_sql, error);
      ok = insert != NULL;
      for (guint k = 0; ok && k < leaf->fids->len; k++)
        {
          sqlite3_bind_int64 (insert, 1, g_array_index (leaf->fids, gint64, k));
          if (sqlite3_step (insert) != SQLITE_DONE)
            {
              gis_sql_set_error (error, db, sqlite3_errcode (db), NULL);
              ok = FALSE;
            }
          sqlite3_reset (insert);
        }
      g_clear_pointer (&insert, sqlite3_finalize);
      gis_sql_exec (db, ok ? "RELEASE atalaya_sets" : "ROLLBACK TO atalaya_sets; RELEASE atalaya_sets", NULL);
    }
  if (was_on)
    set_query_only (db, TRUE, NULL);
  return ok;
}

static void
drop_set_tables (GisQueryPlan *plan)
{
  sqlite3 *db = gis_store_get_db (plan->store);
  gboolean was_on = FALSE;

  set_query_only (db, FALSE, &was_on);
  for (guint i = 0; i < plan->leaves->len; i++)
    {
      Leaf *leaf = g_ptr_array_index (plan->leaves, i);
      g_autofree char *qs = gis_sql_quote_ident (leaf->set_table);

      gis_sql_execf (db, NULL, "DROP TABLE IF EXISTS temp.%s", qs);
      g_clear_pointer (&leaf->fids, g_array_unref);
    }
  if (was_on)
    set_query_only (db, TRUE, NULL);
}

static GArray *
run_sql (GisQueryPlan  *plan,
         GCancellable  *cancellable,
         GError       **error)
{
  sqlite3 *db = gis_store_get_db (plan->store);
  g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (db, plan->sql->str, error);
  g_autoptr(GArray) fids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < plan->params->len; i++)
    {
      Param *p = g_ptr_array_index (plan->params, i);

      switch (p->type)
        {
        case PARAM_INT:
          sqlite3_bind_int64 (stmt, (int) i + 1, p->i);
          break;
        case PARAM_REAL:
          sqlite3_bind_double (stmt, (int) i + 1, p->d);
          break;
        case PARAM_TEXT:
        default:
          sqlite3_bind_text (stmt, (int) i + 1, p->s, -1, SQLITE_STATIC);
          break;
        }
    }

  if (cancellable != NULL)
    sqlite3_progress_handler (db, 10000, on_progress_handler, cancellable);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (fids, fid);
    }
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 0, NULL, NULL);

  if (rc != SQLITE_DONE)
    {
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        gis_sql_set_error (error, db, rc, NULL);
      return NULL;
    }
  return g_steal_pointer (&fids);
}

/**
 * gis_query_plan_run:
 * @plan: a plan, on the thread that uses its store
 * @progress: (nullable): called now and then
 * @progress_data: its data
 * @cancellable: (nullable): stops the run
 * @error: return location for an error
 *
 * Finds the features of each spatial condition, then runs the SELECT.
 *
 * Returns: (transfer full) (element-type gint64): the target fids that
 *   meet the condition, in ascending order
 */
GArray *
gis_query_plan_run (GisQueryPlan     *plan,
                    GisProgressFunc   progress,
                    gpointer          progress_data,
                    GCancellable     *cancellable,
                    GError          **error)
{
  GisQueryNode *where;
  GArray *result = NULL;
  guint n = 0;

  g_return_val_if_fail (plan != NULL, NULL);

  n = plan->leaves->len;
  for (guint i = 0; i < n; i++)
    {
      Leaf *leaf = g_ptr_array_index (plan->leaves, i);

      g_clear_pointer (&leaf->fids, g_array_unref);
      leaf->fids = gis_query_spatial_eval (plan->store, plan->target, &leaf->spec,
                                           progress, progress_data,
                                           0.9 * i / n, 0.9 * (i + 1) / n, cancellable, error);
      if (leaf->fids == NULL)
        goto out;
    }

  if (progress != NULL)
    progress (n > 0 ? 0.9 : -1, _("Selecting features"), progress_data);

  /* one spatial condition alone is its own answer */
  where = gis_query_get_where (plan->query);
  if (n == 1 && where != NULL && gis_query_node_get_kind (where) == GIS_QUERY_NODE_SPATIAL &&
      gis_query_node_get_spatial_op (where) != GIS_SPATIAL_DISJOINT)
    {
      Leaf *leaf = g_ptr_array_index (plan->leaves, 0);

      result = g_steal_pointer (&leaf->fids);
      goto out;
    }

  if (n > 0 && !fill_set_tables (plan, error))
    goto out;
  result = run_sql (plan, cancellable, error);

out:
  if (n > 0)
    drop_set_tables (plan);
  return result;
}

/**
 * gis_query_run:
 * @store: a store, used on this thread
 * @query: a query
 * @progress: (nullable): called now and then
 * @progress_data: its data
 * @cancellable: (nullable): stops the run
 * @error: return location for an error
 *
 * Plans and runs @query.
 *
 * Returns: (transfer full) (element-type gint64): the matching fids, ascending
 */
GArray *
gis_query_run (GisStore         *store,
               GisQuery         *query,
               GisProgressFunc   progress,
               gpointer          progress_data,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autoptr(GisQueryPlan) plan = gis_query_plan (store, query, error);

  if (plan == NULL)
    return NULL;
  return gis_query_plan_run (plan, progress, progress_data, cancellable, error);
}
