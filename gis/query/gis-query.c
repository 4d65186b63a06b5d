/* gis-query.c: the query model, its JSON and its text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-error.h"
#include "gis-query.h"
#include "gis-query-private.h"

struct _GisQueryNode
{
  gatomicrefcount   ref_count;
  GisQueryNodeKind  kind;

  /* AND, OR, NOT */
  GPtrArray        *children;

  /* SPATIAL */
  GisSpatialOp      op;
  char             *layer;
  char             *wkt;
  double            distance_km;
  guint             n_nearest;
  GisDistanceMode   mode;

  /* COMPARE */
  char             *field;
  GisCompareOp      compare;
  char            **values;

  /* DATE */
  char             *date_from;
  char             *date_to;
};

struct _GisQuery
{
  gatomicrefcount  ref_count;
  char            *target;
  GisQueryNode    *where;
};

G_DEFINE_BOXED_TYPE (GisQueryNode, gis_query_node, gis_query_node_ref, gis_query_node_unref)
G_DEFINE_BOXED_TYPE (GisQuery, gis_query, gis_query_ref, gis_query_unref)

static const char *const spatial_names[] = {
  [GIS_SPATIAL_WITHIN] = "within",
  [GIS_SPATIAL_INSIDE] = "inside",
  [GIS_SPATIAL_INTERSECTS] = "intersects",
  [GIS_SPATIAL_DISJOINT] = "disjoint",
  [GIS_SPATIAL_NEAREST] = "nearest",
};

static const char *const compare_names[] = {
  [GIS_COMPARE_EQ] = "=",
  [GIS_COMPARE_NE] = "!=",
  [GIS_COMPARE_LT] = "<",
  [GIS_COMPARE_LE] = "<=",
  [GIS_COMPARE_GT] = ">",
  [GIS_COMPARE_GE] = ">=",
  [GIS_COMPARE_BETWEEN] = "between",
  [GIS_COMPARE_IN] = "in",
  [GIS_COMPARE_LIKE] = "like",
  [GIS_COMPARE_IS_NULL] = "is null",
  [GIS_COMPARE_IS_NOT_NULL] = "is not null",
};

const char *
gis_spatial_op_to_string (GisSpatialOp op)
{
  g_return_val_if_fail (op <= GIS_SPATIAL_NEAREST, NULL);
  return spatial_names[op];
}

const char *
gis_compare_op_to_string (GisCompareOp op)
{
  g_return_val_if_fail (op <= GIS_COMPARE_IS_NOT_NULL, NULL);
  return compare_names[op];
}

/* How many values each comparison takes; -1: one or more. */
int
gis_compare_op_n_values (GisCompareOp op)
{
  switch (op)
    {
    case GIS_COMPARE_BETWEEN:
      return 2;
    case GIS_COMPARE_IN:
      return -1;
    case GIS_COMPARE_IS_NULL:
    case GIS_COMPARE_IS_NOT_NULL:
      return 0;
    case GIS_COMPARE_EQ:
    case GIS_COMPARE_NE:
    case GIS_COMPARE_LT:
    case GIS_COMPARE_LE:
    case GIS_COMPARE_GT:
    case GIS_COMPARE_GE:
    case GIS_COMPARE_LIKE:
    default:
      return 1;
    }
}

/* ---- nodes -------------------------------------------------------------- */

static GisQueryNode *
node_new (GisQueryNodeKind kind)
{
  GisQueryNode *node = g_new0 (GisQueryNode, 1);

  g_atomic_ref_count_init (&node->ref_count);
  node->kind = kind;
  return node;
}

/**
 * gis_query_node_new_group:
 * @kind: %GIS_QUERY_NODE_AND or %GIS_QUERY_NODE_OR
 * @children: (array length=n_children): the conditions
 * @n_children: at least one
 *
 * Returns: (transfer full): all (AND) or any (OR) of @children
 */
GisQueryNode *
gis_query_node_new_group (GisQueryNodeKind     kind,
                          GisQueryNode *const *children,
                          guint                n_children)
{
  GisQueryNode *node;

  g_return_val_if_fail (kind == GIS_QUERY_NODE_AND || kind == GIS_QUERY_NODE_OR, NULL);
  g_return_val_if_fail (n_children > 0, NULL);

  node = node_new (kind);
  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_query_node_unref);
  for (guint i = 0; i < n_children; i++)
    {
      g_return_val_if_fail (children[i] != NULL, node);
      g_ptr_array_add (node->children, gis_query_node_ref (children[i]));
    }
  return node;
}

/**
 * gis_query_node_new_and:
 *
 * Returns: (transfer full): @a and @b
 */
GisQueryNode *
gis_query_node_new_and (GisQueryNode *a,
                        GisQueryNode *b)
{
  GisQueryNode *both[] = { a, b };

  return gis_query_node_new_group (GIS_QUERY_NODE_AND, both, 2);
}

/**
 * gis_query_node_new_or:
 *
 * Returns: (transfer full): @a or @b
 */
GisQueryNode *
gis_query_node_new_or (GisQueryNode *a,
                       GisQueryNode *b)
{
  GisQueryNode *both[] = { a, b };

  return gis_query_node_new_group (GIS_QUERY_NODE_OR, both, 2);
}

/**
 * gis_query_node_new_not:
 *
 * Returns: (transfer full): not @child
 */
GisQueryNode *
gis_query_node_new_not (GisQueryNode *child)
{
  GisQueryNode *node;

  g_return_val_if_fail (child != NULL, NULL);

  node = node_new (GIS_QUERY_NODE_NOT);
  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_query_node_unref);
  g_ptr_array_add (node->children, gis_query_node_ref (child));
  return node;
}

/**
 * gis_query_node_new_spatial:
 * @op: the relation
 * @layer: (nullable): the reference layer's name, or %NULL with @wkt
 * @wkt: (nullable): a reference geometry in lon/lat, or %NULL with @layer
 * @distance_km: for %GIS_SPATIAL_WITHIN
 * @n_nearest: for %GIS_SPATIAL_NEAREST
 * @mode: how distances are measured
 *
 * Values are checked by gis_query_plan(), which reports what is wrong.
 *
 * Returns: (transfer full): a spatial condition
 */
GisQueryNode *
gis_query_node_new_spatial (GisSpatialOp     op,
                            const char      *layer,
                            const char      *wkt,
                            double           distance_km,
                            guint            n_nearest,
                            GisDistanceMode  mode)
{
  GisQueryNode *node;

  g_return_val_if_fail (op <= GIS_SPATIAL_NEAREST, NULL);
  g_return_val_if_fail ((layer == NULL) != (wkt == NULL), NULL);
  g_return_val_if_fail (mode <= GIS_DISTANCE_GEODESIC, NULL);

  node = node_new (GIS_QUERY_NODE_SPATIAL);
  node->op = op;
  node->layer = g_strdup (layer);
  node->wkt = g_strdup (wkt);
  node->distance_km = op == GIS_SPATIAL_WITHIN ? distance_km : 0.0;
  node->n_nearest = op == GIS_SPATIAL_NEAREST ? n_nearest : 0;
  node->mode = mode;
  return node;
}

/**
 * gis_query_node_new_compare:
 * @field: a field of the target layer
 * @op: the comparison
 * @values: (array zero-terminated=1) (nullable): its values as text,
 *   read by the field's type when the query runs
 *
 * Returns: (transfer full): an attribute condition
 */
GisQueryNode *
gis_query_node_new_compare (const char        *field,
                            GisCompareOp       op,
                            const char *const *values)
{
  GisQueryNode *node;
  int n = gis_compare_op_n_values (op);
  guint have = values != NULL ? g_strv_length ((char **) values) : 0;

  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (op <= GIS_COMPARE_IS_NOT_NULL, NULL);
  g_return_val_if_fail (n < 0 ? have > 0 : have == (guint) n, NULL);

  node = node_new (GIS_QUERY_NODE_COMPARE);
  node->field = g_strdup (field);
  node->compare = op;
  node->values = g_strdupv ((char **) (values != NULL ? values : (const char *const[]) { NULL }));
  return node;
}

/**
 * gis_query_node_new_date_range:
 * @from: (nullable): "YYYY", "YYYY-MM" or "YYYY-MM-DD": from the start of it
 * @to: (nullable): the same: to the end of it
 * @error: return location for an error
 *
 * A condition on the target layer's dates (its occurred_at column).
 *
 * Returns: (transfer full) (nullable): the condition, or %NULL when a
 *   date cannot be read or @from comes after @to
 */
GisQueryNode *
gis_query_node_new_date_range (const char  *from,
                               const char  *to,
                               GError     **error)
{
  GisQueryNode *node;
  gint64 a = G_MININT64, b = G_MAXINT64;

  if (from == NULL && to == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("A date range needs a start or an end"));
      return NULL;
    }
  if (from != NULL && !gis_query_parse_period (from, FALSE, &a))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"), from);
      return NULL;
    }
  if (to != NULL && !gis_query_parse_period (to, TRUE, &b))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"), to);
      return NULL;
    }
  if (a > b)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The date range starts (%s) after it ends (%s)"), from, to);
      return NULL;
    }

  node = node_new (GIS_QUERY_NODE_DATE);
  node->date_from = g_strdup (from);
  node->date_to = g_strdup (to);
  return node;
}

GisQueryNode *
gis_query_node_ref (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_atomic_ref_count_inc (&node->ref_count);
  return node;
}

void
gis_query_node_unref (GisQueryNode *node)
{
  g_return_if_fail (node != NULL);
  if (!g_atomic_ref_count_dec (&node->ref_count))
    return;
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node->layer);
  g_free (node->wkt);
  g_free (node->field);
  g_strfreev (node->values);
  g_free (node->date_from);
  g_free (node->date_to);
  g_free (node);
}

GisQueryNodeKind
gis_query_node_get_kind (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, GIS_QUERY_NODE_AND);
  return node->kind;
}

guint
gis_query_node_get_n_children (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->children != NULL ? node->children->len : 0;
}

/**
 * gis_query_node_get_child:
 *
 * Returns: (transfer none): the @i-th condition of a group or NOT
 */
GisQueryNode *
gis_query_node_get_child (GisQueryNode *node,
                          guint         i)
{
  g_return_val_if_fail (node != NULL && node->children != NULL, NULL);
  g_return_val_if_fail (i < node->children->len, NULL);
  return g_ptr_array_index (node->children, i);
}

GisSpatialOp
gis_query_node_get_spatial_op (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, GIS_SPATIAL_WITHIN);
  return node->op;
}

const char *
gis_query_node_get_layer (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->layer;
}

const char *
gis_query_node_get_wkt (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->wkt;
}

double
gis_query_node_get_distance_km (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, 0.0);
  return node->distance_km;
}

guint
gis_query_node_get_n_nearest (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->n_nearest;
}

GisDistanceMode
gis_query_node_get_distance_mode (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, GIS_DISTANCE_ANALYSIS);
  return node->mode;
}

const char *
gis_query_node_get_field (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->field;
}

GisCompareOp
gis_query_node_get_compare_op (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, GIS_COMPARE_EQ);
  return node->compare;
}

/**
 * gis_query_node_get_values:
 *
 * Returns: (transfer none) (array zero-terminated=1): a comparison's values
 */
const char *const *
gis_query_node_get_values (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return (const char *const *) node->values;
}

const char *
gis_query_node_get_date_from (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->date_from;
}

const char *
gis_query_node_get_date_to (GisQueryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->date_to;
}

/* ---- periods -------------------------------------------------------------- */

/**
 * gis_query_parse_period:
 * @text: "YYYY", "YYYY-MM" or "YYYY-MM-DD"
 * @end: %TRUE for the last second of that period, %FALSE for its first
 * @out_unix_s: (out): the second, UTC
 *
 * Returns: %FALSE when @text is no such date
 */
gboolean
gis_query_parse_period (const char *text,
                        gboolean    end,
                        gint64     *out_unix_s)
{
  int year = 0, month = 1, day = 1;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) next = NULL;
  enum { YEAR, MONTH, DAY } unit;
  const char *p = text;

  if (text == NULL)
    return FALSE;

  /* digits only where digits go: sscanf would take signs and spaces */
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isdigit (p[i]))
      return FALSE;
  year = atoi (p);
  unit = YEAR;
  p += 4;
  if (*p == '-')
    {
      if (!g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]))
        return FALSE;
      month = (p[1] - '0') * 10 + (p[2] - '0');
      unit = MONTH;
      p += 3;
      if (*p == '-')
        {
          if (!g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]))
            return FALSE;
          day = (p[1] - '0') * 10 + (p[2] - '0');
          unit = DAY;
          p += 3;
        }
    }
  if (*p != '\0' || year < 1)
    return FALSE;

  start = g_date_time_new_utc (year, month, day, 0, 0, 0);
  if (start == NULL)
    return FALSE;
  if (!end)
    {
      *out_unix_s = g_date_time_to_unix (start);
      return TRUE;
    }

  next = unit == YEAR ? g_date_time_add_years (start, 1)
         : unit == MONTH ? g_date_time_add_months (start, 1)
         : g_date_time_add_days (start, 1);
  if (next == NULL)
    return FALSE;
  *out_unix_s = g_date_time_to_unix (next) - 1;
  return TRUE;
}

/* ---- queries ---------------------------------------------------------------- */

/**
 * gis_query_new:
 * @target: the layer whose features are selected
 * @where: (nullable): the condition, or %NULL for every feature
 *
 * Returns: (transfer full): a query
 */
GisQuery *
gis_query_new (const char   *target,
               GisQueryNode *where)
{
  GisQuery *query;

  g_return_val_if_fail (target != NULL, NULL);

  query = g_new0 (GisQuery, 1);
  g_atomic_ref_count_init (&query->ref_count);
  query->target = g_strdup (target);
  query->where = where != NULL ? gis_query_node_ref (where) : NULL;
  return query;
}

GisQuery *
gis_query_ref (GisQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);
  g_atomic_ref_count_inc (&query->ref_count);
  return query;
}

void
gis_query_unref (GisQuery *query)
{
  g_return_if_fail (query != NULL);
  if (!g_atomic_ref_count_dec (&query->ref_count))
    return;
  g_free (query->target);
  g_clear_pointer (&query->where, gis_query_node_unref);
  g_free (query);
}

const char *
gis_query_get_target (GisQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);
  return query->target;
}

/**
 * gis_query_get_where:
 *
 * Returns: (transfer none) (nullable): the condition
 */
GisQueryNode *
gis_query_get_where (GisQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);
  return query->where;
}

/* ---- JSON ------------------------------------------------------------------- */

static void
node_to_json (JsonBuilder  *b,
              GisQueryNode *node)
{
  json_builder_begin_object (b);
  switch (node->kind)
    {
    case GIS_QUERY_NODE_AND:
    case GIS_QUERY_NODE_OR:
      json_builder_set_member_name (b, node->kind == GIS_QUERY_NODE_AND ? "and" : "or");
      json_builder_begin_array (b);
      for (guint i = 0; i < node->children->len; i++)
        node_to_json (b, g_ptr_array_index (node->children, i));
      json_builder_end_array (b);
      break;

    case GIS_QUERY_NODE_NOT:
      json_builder_set_member_name (b, "not");
      node_to_json (b, g_ptr_array_index (node->children, 0));
      break;

    case GIS_QUERY_NODE_SPATIAL:
      json_builder_set_member_name (b, "spatial");
      json_builder_add_string_value (b, spatial_names[node->op]);
      json_builder_set_member_name (b, node->layer != NULL ? "layer" : "wkt");
      json_builder_add_string_value (b, node->layer != NULL ? node->layer : node->wkt);
      if (node->op == GIS_SPATIAL_WITHIN)
        {
          json_builder_set_member_name (b, "distance_km");
          json_builder_add_double_value (b, node->distance_km);
        }
      if (node->op == GIS_SPATIAL_NEAREST)
        {
          json_builder_set_member_name (b, "n");
          json_builder_add_int_value (b, node->n_nearest);
        }
      if (node->op == GIS_SPATIAL_WITHIN || node->op == GIS_SPATIAL_NEAREST)
        {
          json_builder_set_member_name (b, "distance");
          json_builder_add_string_value (b, node->mode == GIS_DISTANCE_GEODESIC ? "geodesic" : "analysis");
        }
      break;

    case GIS_QUERY_NODE_COMPARE:
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, node->field);
      json_builder_set_member_name (b, "op");
      json_builder_add_string_value (b, compare_names[node->compare]);
      json_builder_set_member_name (b, "values");
      json_builder_begin_array (b);
      for (guint i = 0; node->values[i] != NULL; i++)
        json_builder_add_string_value (b, node->values[i]);
      json_builder_end_array (b);
      break;

    case GIS_QUERY_NODE_DATE:
      json_builder_set_member_name (b, "date_from");
      if (node->date_from != NULL)
        json_builder_add_string_value (b, node->date_from);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "date_to");
      if (node->date_to != NULL)
        json_builder_add_string_value (b, node->date_to);
      else
        json_builder_add_null_value (b);
      break;

    default:
      g_assert_not_reached ();
    }
  json_builder_end_object (b);
}

/**
 * gis_query_to_json:
 *
 * Returns: (transfer full): the query as JSON, as gis_query_new_from_json() reads it
 */
char *
gis_query_to_json (GisQuery *query)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (query != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "target");
  json_builder_add_string_value (b, query->target);
  json_builder_set_member_name (b, "where");
  if (query->where != NULL)
    node_to_json (b, query->where);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *n = json_object_get_member (obj, name);

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
lookup_name (const char *const *names,
             guint               n_names,
             const char         *name,
             guint              *out)
{
  for (guint i = 0; i < n_names; i++)
    if (names[i] != NULL && name != NULL && g_ascii_strcasecmp (names[i], name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

#define MAX_DEPTH 64

static GisQueryNode *
node_from_json (JsonNode  *json,
                guint      depth,
                GError   **error)
{
  JsonObject *obj;
  JsonNode *member;

  if (depth > MAX_DEPTH)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The query nests more than %d levels"),
                   MAX_DEPTH);
      return NULL;
    }
  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
    goto bad;
  obj = json_node_get_object (json);

  if ((member = json_object_get_member (obj, "and")) != NULL ||
      (member = json_object_get_member (obj, "or")) != NULL)
    {
      gboolean is_and = json_object_has_member (obj, "and");
      g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_query_node_unref);
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member) || json_array_get_length (json_node_get_array (member)) == 0)
        goto bad;
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          GisQueryNode *child = node_from_json (json_array_get_element (array, i), depth + 1, error);

          if (child == NULL)
            return NULL;
          g_ptr_array_add (children, child);
        }
      return gis_query_node_new_group (is_and ? GIS_QUERY_NODE_AND : GIS_QUERY_NODE_OR,
                                       (GisQueryNode *const *) children->pdata, children->len);
    }

  if ((member = json_object_get_member (obj, "not")) != NULL)
    {
      g_autoptr(GisQueryNode) child = node_from_json (member, depth + 1, error);

      return child != NULL ? gis_query_node_new_not (child) : NULL;
    }

  if (json_object_has_member (obj, "spatial"))
    {
      const char *layer = member_string (obj, "layer");
      const char *wkt = member_string (obj, "wkt");
      const char *mode = member_string (obj, "distance");
      guint op;
      double km = 0;
      gint64 n = 0;

      if (!lookup_name (spatial_names, G_N_ELEMENTS (spatial_names), member_string (obj, "spatial"), &op) ||
          (layer == NULL) == (wkt == NULL))
        goto bad;
      if (op == GIS_SPATIAL_WITHIN)
        {
          JsonNode *d = json_object_get_member (obj, "distance_km");

          if (d == NULL || JSON_NODE_TYPE (d) != JSON_NODE_VALUE ||
              (json_node_get_value_type (d) != G_TYPE_DOUBLE && json_node_get_value_type (d) != G_TYPE_INT64))
            goto bad;
          km = json_node_get_double (d);
        }
      if (op == GIS_SPATIAL_NEAREST)
        {
          JsonNode *d = json_object_get_member (obj, "n");

          if (d == NULL || JSON_NODE_TYPE (d) != JSON_NODE_VALUE || json_node_get_value_type (d) != G_TYPE_INT64)
            goto bad;
          n = json_node_get_int (d);
          if (n < 1 || n > GIS_QUERY_MAX_NEAREST)
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                           _("“nearest” takes 1 to %d features, not %" PRId64),
                           GIS_QUERY_MAX_NEAREST, n);
              return NULL;
            }
        }
      if (mode != NULL && g_strcmp0 (mode, "geodesic") != 0 && g_strcmp0 (mode, "analysis") != 0)
        goto bad;
      return gis_query_node_new_spatial (op, layer, wkt, km, (guint) n,
                                         g_strcmp0 (mode, "geodesic") == 0 ? GIS_DISTANCE_GEODESIC
                                                                           : GIS_DISTANCE_ANALYSIS);
    }

  if (json_object_has_member (obj, "field"))
    {
      const char *field = member_string (obj, "field");
      JsonNode *values_node = json_object_get_member (obj, "values");
      g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;
      guint op, have = 0;
      int want;

      if (field == NULL ||
          !lookup_name (compare_names, G_N_ELEMENTS (compare_names), member_string (obj, "op"), &op))
        goto bad;
      if (values_node != NULL && !JSON_NODE_HOLDS_NULL (values_node))
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (values_node))
            goto bad;
          array = json_node_get_array (values_node);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *v = json_array_get_element (array, i);
              char buf[G_ASCII_DTOSTR_BUF_SIZE];

              if (JSON_NODE_TYPE (v) != JSON_NODE_VALUE)
                goto bad;
              if (json_node_get_value_type (v) == G_TYPE_STRING)
                g_strv_builder_add (values, json_node_get_string (v));
              else if (json_node_get_value_type (v) == G_TYPE_INT64)
                {
                  g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v));

                  g_strv_builder_add (values, s);
                }
              else if (json_node_get_value_type (v) == G_TYPE_DOUBLE)
                g_strv_builder_add (values, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (v)));
              else
                goto bad;
              have++;
            }
        }
      want = gis_compare_op_n_values (op);
      if (want < 0 ? have == 0 : have != (guint) want)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("“%s %s” takes a different number of values than %u"), field,
                       compare_names[op], have);
          return NULL;
        }
      strv = g_strv_builder_end (values);
      return gis_query_node_new_compare (field, op, (const char *const *) strv);
    }

  if (json_object_has_member (obj, "date_from") || json_object_has_member (obj, "date_to"))
    return gis_query_node_new_date_range (member_string (obj, "date_from"),
                                          member_string (obj, "date_to"), error);

bad:
  {
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autofree char *text = NULL;

    if (json != NULL)
      {
        json_generator_set_root (gen, json);
        text = json_generator_to_data (gen, NULL);
      }
    g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Not a query condition: %s"),
                 text != NULL ? text : "null");
  }
  return NULL;
}

/**
 * gis_query_new_from_json:
 * @json: what gis_query_to_json() wrote
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the query
 */
GisQuery *
gis_query_new_from_json (const char  *json,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GisQueryNode) where = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *obj;
  JsonNode *where_node;
  const char *target;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The query is not JSON: %s"),
                   local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  obj = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (obj, "version") && json_object_get_int_member (obj, "version") != 1)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NEWER_VERSION,
                   _("The query was written by a newer version of Atalaya"));
      return NULL;
    }
  target = member_string (obj, "target");
  if (target == NULL || *target == '\0')
    goto bad;
  where_node = json_object_get_member (obj, "where");
  if (where_node != NULL && !JSON_NODE_HOLDS_NULL (where_node))
    {
      where = node_from_json (where_node, 0, error);
      if (where == NULL)
        return NULL;
    }
  return gis_query_new (target, where);

bad:
  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The query names no target layer"));
  return NULL;
}

/* ---- text ------------------------------------------------------------------- */

static const char *const keywords[] = {
  "and", "or", "not", "within", "km", "of", "inside", "intersects", "disjoint", "nearest",
  "to", "in", "like", "between", "is", "null", "date", "from", "geodesic", "analysis",
};

gboolean
gis_query_is_keyword (const char *word)
{
  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (g_ascii_strcasecmp (word, keywords[i]) == 0)
      return TRUE;
  return gis_query_is_geometry_word (word);
}

gboolean
gis_query_is_geometry_word (const char *word)
{
  static const char *const types[] = {
    "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
    "geometrycollection",
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_ascii_strcasecmp (word, types[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
append_name (GString    *out,
             const char *name)
{
  gboolean bare = name[0] != '\0' && (g_ascii_isalpha (name[0]) || name[0] == '_') &&
                  !gis_query_is_keyword (name);

  for (const char *p = name; bare && *p != '\0'; p++)
    bare = g_ascii_isalnum (*p) || *p == '_';
  if (bare)
    {
      g_string_append (out, name);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* A number stays bare; anything else is quoted. */
static void
append_value (GString    *out,
              const char *value)
{
  char *end = NULL;

  if (value[0] != '\0' && (g_ascii_isdigit (value[0]) || value[0] == '-' || value[0] == '.'))
    {
      g_ascii_strtod (value, &end);
      if (end != NULL && *end == '\0' && end != value)
        {
          g_string_append (out, value);
          return;
        }
    }
  g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static void
append_km (GString *out,
           double   km)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.12g", km));
}

static void
append_node (GString      *out,
             GisQueryNode *node,
             gboolean      in_group)
{
  switch (node->kind)
    {
    case GIS_QUERY_NODE_AND:
    case GIS_QUERY_NODE_OR:
      if (in_group)
        g_string_append_c (out, '(');
      for (guint i = 0; i < node->children->len; i++)
        {
          GisQueryNode *child = g_ptr_array_index (node->children, i);

          if (i > 0)
            g_string_append (out, node->kind == GIS_QUERY_NODE_AND ? " and " : " or ");
          /* AND binds tighter than OR: only groups inside groups need brackets */
          append_node (out, child, child->kind == GIS_QUERY_NODE_AND || child->kind == GIS_QUERY_NODE_OR);
        }
      if (in_group)
        g_string_append_c (out, ')');
      break;

    case GIS_QUERY_NODE_NOT:
      g_string_append (out, "not ");
      append_node (out, g_ptr_array_index (node->children, 0), TRUE);
      break;

    case GIS_QUERY_NODE_SPATIAL:
      switch (node->op)
        {
        case GIS_SPATIAL_WITHIN:
          g_string_append (out, "within ");
          append_km (out, node->distance_km);
          g_string_append (out, " km of ");
          break;
        case GIS_SPATIAL_NEAREST:
          g_string_append_printf (out, "nearest %u to ", node->n_nearest);
          break;
        case GIS_SPATIAL_INSIDE:
        case GIS_SPATIAL_INTERSECTS:
        case GIS_SPATIAL_DISJOINT:
        default:
          g_string_append_printf (out, "%s ", spatial_names[node->op]);
          break;
        }
      if (node->layer != NULL)
        append_name (out, node->layer);
      else
        g_string_append (out, node->wkt);
      if ((node->op == GIS_SPATIAL_WITHIN || node->op == GIS_SPATIAL_NEAREST) &&
          node->mode == GIS_DISTANCE_GEODESIC)
        g_string_append (out, " geodesic");
      break;

    case GIS_QUERY_NODE_COMPARE:
      append_name (out, node->field);
      g_string_append_printf (out, " %s", compare_names[node->compare]);
      if (node->compare == GIS_COMPARE_BETWEEN)
        {
          g_string_append_c (out, ' ');
          append_value (out, node->values[0]);
          g_string_append (out, " and ");
          append_value (out, node->values[1]);
        }
      else if (node->compare == GIS_COMPARE_IN)
        {
          g_string_append (out, " (");
          for (guint i = 0; node->values[i] != NULL; i++)
            {
              if (i > 0)
                g_string_append (out, ", ");
              append_value (out, node->values[i]);
            }
          g_string_append_c (out, ')');
        }
      else if (node->values[0] != NULL)
        {
          g_string_append_c (out, ' ');
          append_value (out, node->values[0]);
        }
      break;

    case GIS_QUERY_NODE_DATE:
      g_string_append (out, "date");
      if (node->date_from != NULL)
        g_string_append_printf (out, " from %s", node->date_from);
      if (node->date_to != NULL)
        g_string_append_printf (out, " to %s", node->date_to);
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * gis_query_node_to_string:
 *
 * Returns: (transfer full): the condition as gis_query_parse_condition() reads it
 */
char *
gis_query_node_to_string (GisQueryNode *node)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);
  append_node (out, node, FALSE);
  return g_string_free (out, FALSE);
}

/**
 * gis_query_to_string:
 *
 * Returns: (transfer full): the query's condition as text ("" for none)
 */
char *
gis_query_to_string (GisQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);
  return query->where != NULL ? gis_query_node_to_string (query->where) : g_strdup ("");
}
