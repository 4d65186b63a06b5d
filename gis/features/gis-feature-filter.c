/* gis-feature-filter.c: which features of a layer to show
 *
 * A filter is immutable and refcounted, so the attribute table's model
 * can hand it to the thread that runs the query.  It becomes SQL only
 * there, against the columns the table has at that moment: column names
 * are checked against the table and quoted, values are always bound.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-feature-filter"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "gis-error.h"
#include "gis-features-private.h"
#include "gis-sql-private.h"

struct _GisFeatureFilter
{
  grefcount             ref_count;
  GisFeatureFilterKind  kind;
  GisFilterOperator     op;
  char                 *text;     /* TEXT */
  char                 *column;   /* CONDITION */
  char                 *value;    /* CONDITION, nullable */
  GPtrArray            *parts;    /* ALL: GisFeatureFilter */
};

G_DEFINE_BOXED_TYPE (GisFeatureFilter, gis_feature_filter,
                     gis_feature_filter_ref, gis_feature_filter_unref)

static const struct {
  GisFilterOperator  op;
  const char        *symbol;
  const char        *label;
} operators[] = {
  { GIS_FILTER_EQUAL, "=", N_("is") },
  { GIS_FILTER_NOT_EQUAL, "≠", N_("is not") },
  { GIS_FILTER_LESS, "<", N_("is less than") },
  { GIS_FILTER_LESS_OR_EQUAL, "≤", N_("is at most") },
  { GIS_FILTER_GREATER, ">", N_("is greater than") },
  { GIS_FILTER_GREATER_OR_EQUAL, "≥", N_("is at least") },
  { GIS_FILTER_CONTAINS, "∋", N_("contains") },
  { GIS_FILTER_IS_NULL, "∅", N_("is empty") },
  { GIS_FILTER_IS_NOT_NULL, "≠ ∅", N_("is not empty") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (operators) == GIS_FILTER_N_OPERATORS);

/**
 * gis_filter_operator_to_symbol:
 * @op: an operator
 *
 * Returns: (transfer none): a short mathematical symbol for @op ("≤")
 */
const char *
gis_filter_operator_to_symbol (GisFilterOperator op)
{
  g_return_val_if_fail ((guint) op < GIS_FILTER_N_OPERATORS, "?");

  return operators[op].symbol;
}

/**
 * gis_filter_operator_to_label:
 * @op: an operator
 *
 * Returns: (transfer none): @op in words, translated ("is at most")
 */
const char *
gis_filter_operator_to_label (GisFilterOperator op)
{
  g_return_val_if_fail ((guint) op < GIS_FILTER_N_OPERATORS, "?");

  return _(operators[op].label);
}

/**
 * gis_filter_operator_takes_value:
 * @op: an operator
 *
 * Returns: whether a condition with @op compares with a value (all but
 *   the "is empty" tests)
 */
gboolean
gis_filter_operator_takes_value (GisFilterOperator op)
{
  return op != GIS_FILTER_IS_NULL && op != GIS_FILTER_IS_NOT_NULL;
}

/**
 * gis_feature_filter_new_text:
 * @text: text to look for
 *
 * A filter keeping the features where @text appears in any text column
 * (ignoring ASCII case; `%` and `_` are plain characters), or, when
 * @text is a number, where a numeric column (the feature id included)
 * equals it.  An empty @text keeps every feature.
 *
 * Returns: (transfer full): a new filter
 */
GisFeatureFilter *
gis_feature_filter_new_text (const char *text)
{
  GisFeatureFilter *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = g_new0 (GisFeatureFilter, 1);
  g_ref_count_init (&self->ref_count);
  self->kind = GIS_FEATURE_FILTER_TEXT;
  self->text = g_strdup (text);
  return self;
}

/**
 * gis_feature_filter_new_condition:
 * @column: a column of the layer (checked when the filter is used)
 * @op: how to compare
 * @value: (nullable): the value to compare with, as the user typed it;
 *   ignored by the "is empty" operators
 *
 * Returns: (transfer full): a new filter
 */
GisFeatureFilter *
gis_feature_filter_new_condition (const char        *column,
                                  GisFilterOperator  op,
                                  const char        *value)
{
  GisFeatureFilter *self;

  g_return_val_if_fail (column != NULL, NULL);
  g_return_val_if_fail ((guint) op < GIS_FILTER_N_OPERATORS, NULL);

  self = g_new0 (GisFeatureFilter, 1);
  g_ref_count_init (&self->ref_count);
  self->kind = GIS_FEATURE_FILTER_CONDITION;
  self->column = g_strdup (column);
  self->op = op;
  self->value = gis_filter_operator_takes_value (op) ? g_strdup (value ? value : "") : NULL;
  return self;
}

/**
 * gis_feature_filter_new_all:
 * @filters: (array length=n_filters): filters
 * @n_filters: how many; none keeps every feature
 *
 * A filter keeping the features that all of @filters keep, such as the
 * search text of the attribute table and its advanced condition.
 *
 * Returns: (transfer full): a new filter
 */
GisFeatureFilter *
gis_feature_filter_new_all (GisFeatureFilter *const *filters,
                            guint                    n_filters)
{
  GisFeatureFilter *self;

  g_return_val_if_fail (filters != NULL || n_filters == 0, NULL);

  self = g_new0 (GisFeatureFilter, 1);
  g_ref_count_init (&self->ref_count);
  self->kind = GIS_FEATURE_FILTER_ALL;
  self->parts = g_ptr_array_new_full (n_filters, (GDestroyNotify) gis_feature_filter_unref);
  for (guint i = 0; i < n_filters; i++)
    {
      g_return_val_if_fail (filters[i] != NULL, self);
      g_ptr_array_add (self->parts, gis_feature_filter_ref (filters[i]));
    }
  return self;
}

/**
 * gis_feature_filter_ref:
 * @self: a filter
 *
 * Returns: (transfer full): @self
 */
GisFeatureFilter *
gis_feature_filter_ref (GisFeatureFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * gis_feature_filter_unref:
 * @self: (transfer full): a filter
 *
 * Drops a reference; the last one frees the filter.
 */
void
gis_feature_filter_unref (GisFeatureFilter *self)
{
  g_return_if_fail (self != NULL);

  if (g_ref_count_dec (&self->ref_count))
    {
      g_free (self->text);
      g_free (self->column);
      g_free (self->value);
      g_clear_pointer (&self->parts, g_ptr_array_unref);
      g_free (self);
    }
}

/**
 * gis_feature_filter_get_kind:
 * @self: a filter
 *
 * Returns: whether @self is a text search, a condition or a combination
 */
GisFeatureFilterKind
gis_feature_filter_get_kind (GisFeatureFilter *self)
{
  g_return_val_if_fail (self != NULL, GIS_FEATURE_FILTER_TEXT);

  return self->kind;
}

/**
 * gis_feature_filter_get_text:
 * @self: a filter
 *
 * Returns: (transfer none) (nullable): the text of a text filter
 */
const char *
gis_feature_filter_get_text (GisFeatureFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/**
 * gis_feature_filter_get_column:
 * @self: a filter
 *
 * Returns: (transfer none) (nullable): the column of a condition
 */
const char *
gis_feature_filter_get_column (GisFeatureFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->column;
}

/**
 * gis_feature_filter_get_operator:
 * @self: a condition
 *
 * Returns: how a condition compares
 */
GisFilterOperator
gis_feature_filter_get_operator (GisFeatureFilter *self)
{
  g_return_val_if_fail (self != NULL, GIS_FILTER_EQUAL);

  return self->op;
}

/**
 * gis_feature_filter_get_value:
 * @self: a filter
 *
 * Returns: (transfer none) (nullable): the value of a condition
 */
const char *
gis_feature_filter_get_value (GisFeatureFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->value;
}

/**
 * gis_feature_filter_get_n_parts:
 * @self: a filter
 *
 * Returns: the number of filters combined by an "all" filter, else 0
 */
guint
gis_feature_filter_get_n_parts (GisFeatureFilter *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->parts != NULL ? self->parts->len : 0;
}

/**
 * gis_feature_filter_get_part:
 * @self: an "all" filter
 * @index: below gis_feature_filter_get_n_parts()
 *
 * Returns: (transfer none): one of the filters combined
 */
GisFeatureFilter *
gis_feature_filter_get_part (GisFeatureFilter *self,
                             guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < gis_feature_filter_get_n_parts (self), NULL);

  return g_ptr_array_index (self->parts, index);
}

/**
 * gis_feature_filter_equal:
 * @a: (nullable): a filter
 * @b: (nullable): another filter
 *
 * Returns: whether @a and @b keep the same features on any layer
 */
gboolean
gis_feature_filter_equal (GisFeatureFilter *a,
                          GisFeatureFilter *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  if (a->kind == GIS_FEATURE_FILTER_ALL || b->kind == GIS_FEATURE_FILTER_ALL)
    {
      if (a->kind != b->kind || a->parts->len != b->parts->len)
        return FALSE;
      for (guint i = 0; i < a->parts->len; i++)
        if (!gis_feature_filter_equal (g_ptr_array_index (a->parts, i),
                                       g_ptr_array_index (b->parts, i)))
          return FALSE;
      return TRUE;
    }

  return a->kind == b->kind &&
         a->op == b->op &&
         g_strcmp0 (a->text, b->text) == 0 &&
         g_strcmp0 (a->column, b->column) == 0 &&
         g_strcmp0 (a->value, b->value) == 0;
}

/* ---- SQL ---------------------------------------------------------------- */

/* Parses a number as a user types it: spaces around it, and a decimal
 * comma when there is no decimal point. */
static gboolean
parse_number (const char *text,
              gboolean   *out_is_int,
              gint64     *out_int,
              double     *out_double)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;
  double d;

  if (*copy == '\0')
    return FALSE;

  if (g_ascii_string_to_signed (copy, 10, G_MININT64, G_MAXINT64, out_int, NULL))
    {
      *out_is_int = TRUE;
      *out_double = (double) *out_int;
      return TRUE;
    }

  if (strchr (copy, '.') == NULL)
    g_strdelimit (copy, ",", '.');

  /* g_ascii_strtod() takes "nan", "inf" and hex: none is a value here. */
  for (const char *p = copy; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && strchr ("+-.eE", *p) == NULL)
      return FALSE;

  errno = 0;
  d = g_ascii_strtod (copy, &end);
  if (end == copy || *end != '\0' || errno == ERANGE || !isfinite (d))
    return FALSE;

  *out_is_int = FALSE;
  *out_double = d;
  return TRUE;
}

static GVariant *
number_variant (gboolean is_int,
                gint64   i,
                double   d)
{
  return g_variant_ref_sink (is_int ? g_variant_new_int64 (i) : g_variant_new_double (d));
}

/* "%text%" for LIKE ... ESCAPE '\' */
static char *
like_pattern (const char *text)
{
  GString *s = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (s, FALSE);
}

static guint
add_bind (GPtrArray *binds,
          GVariant  *value)
{
  g_ptr_array_add (binds, value);
  return binds->len;
}

static gboolean
text_to_sql (GisFeatureFilter *self,
             GPtrArray        *columns,
             GString          *sql,
             GPtrArray        *binds)
{
  g_autofree char *pattern = NULL;
  gboolean is_int = FALSE, is_number;
  gint64 i = 0;
  double d = 0.0;
  guint text_bind = 0, number_bind = 0;
  gboolean first = TRUE;

  if (*self->text == '\0')
    {
      g_string_append (sql, "1");
      return TRUE;
    }

  pattern = like_pattern (self->text);
  is_number = parse_number (self->text, &is_int, &i, &d);

  g_string_append_c (sql, '(');
  for (guint c = 0; c < columns->len; c++)
    {
      const GisField *field = g_ptr_array_index (columns, c);
      g_autofree char *qc = gis_sql_quote_ident (field->name);

      switch (field->type)
        {
        case GIS_FIELD_TEXT:
          if (text_bind == 0)
            text_bind = add_bind (binds, g_variant_ref_sink (g_variant_new_string (pattern)));
          g_string_append_printf (sql, "%s%s LIKE ?%u ESCAPE '\\'", first ? "" : " OR ",
                                  qc, text_bind);
          first = FALSE;
          break;

        case GIS_FIELD_INTEGER:
        case GIS_FIELD_REAL:
          if (!is_number)
            break;
          if (number_bind == 0)
            number_bind = add_bind (binds, number_variant (is_int, i, d));
          g_string_append_printf (sql, "%s%s = ?%u", first ? "" : " OR ", qc, number_bind);
          first = FALSE;
          break;

        case GIS_FIELD_BLOB:
        default:
          break;
        }
    }
  if (first)
    g_string_append (sql, "0");
  g_string_append_c (sql, ')');

  return TRUE;
}

static gboolean
condition_to_sql (GisFeatureFilter *self,
                  GPtrArray        *columns,
                  GString          *sql,
                  GPtrArray        *binds,
                  GError          **error)
{
  static const char *const sql_ops[] = {
    [GIS_FILTER_EQUAL] = "=",
    [GIS_FILTER_NOT_EQUAL] = "IS NOT",
    [GIS_FILTER_LESS] = "<",
    [GIS_FILTER_LESS_OR_EQUAL] = "<=",
    [GIS_FILTER_GREATER] = ">",
    [GIS_FILTER_GREATER_OR_EQUAL] = ">=",
  };
  const GisField *field = gis_features_find_column (columns, self->column);
  g_autofree char *qc = NULL;
  gboolean numeric;
  guint bind;

  if (field == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("The layer has no column “%s”"), self->column);
      return FALSE;
    }

  qc = gis_sql_quote_ident (field->name);
  numeric = field->type == GIS_FIELD_INTEGER || field->type == GIS_FIELD_REAL;

  switch (self->op)
    {
    case GIS_FILTER_IS_NULL:
      g_string_append_printf (sql, "%s IS NULL", qc);
      return TRUE;

    case GIS_FILTER_IS_NOT_NULL:
      g_string_append_printf (sql, "%s IS NOT NULL", qc);
      return TRUE;

    case GIS_FILTER_CONTAINS:
      if (field->type == GIS_FIELD_BLOB)
        break;
      {
        g_autofree char *pattern = like_pattern (self->value);

        bind = add_bind (binds, g_variant_ref_sink (g_variant_new_string (pattern)));
        g_string_append_printf (sql, "%s LIKE ?%u ESCAPE '\\'", qc, bind);
      }
      return TRUE;

    case GIS_FILTER_EQUAL:
    case GIS_FILTER_NOT_EQUAL:
    case GIS_FILTER_LESS:
    case GIS_FILTER_LESS_OR_EQUAL:
    case GIS_FILTER_GREATER:
    case GIS_FILTER_GREATER_OR_EQUAL:
      if (field->type == GIS_FIELD_BLOB)
        break;
      if (numeric)
        {
          gboolean is_int;
          gint64 i;
          double d;

          if (!parse_number (self->value, &is_int, &i, &d))
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                           _("“%s” is not a number: column “%s” holds numbers"),
                           self->value, field->name);
              return FALSE;
            }
          bind = add_bind (binds, number_variant (is_int, i, d));
        }
      else
        bind = add_bind (binds, g_variant_ref_sink (g_variant_new_string (self->value)));
      g_string_append_printf (sql, "%s %s ?%u", qc, sql_ops[self->op], bind);
      return TRUE;

    default:
      g_assert_not_reached ();
    }

  g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
               _("Column “%s” holds binary data: it can only be tested for being empty"),
               field->name);
  return FALSE;
}

/* Appends to @sql a boolean SQL expression for @filter over a table with
 * @columns (GisField), and to @binds (GVariant) the values of its
 * parameters ?1, ?2... numbered from binds->len + 1. */
gboolean
gis_feature_filter_to_sql (GisFeatureFilter  *filter,
                           GPtrArray         *columns,
                           GString           *sql,
                           GPtrArray         *binds,
                           GError           **error)
{
  const char *user_text;

  g_assert (filter != NULL);
  g_assert (columns != NULL);

  if (filter->kind == GIS_FEATURE_FILTER_ALL)
    {
      g_string_append_c (sql, '(');
      if (filter->parts->len == 0)
        g_string_append (sql, "1");
      for (guint i = 0; i < filter->parts->len; i++)
        {
          g_string_append (sql, i > 0 ? ") AND (" : "(");
          if (!gis_feature_filter_to_sql (g_ptr_array_index (filter->parts, i), columns,
                                          sql, binds, error))
            return FALSE;
          if (i + 1 == filter->parts->len)
            g_string_append_c (sql, ')');
        }
      g_string_append_c (sql, ')');
      return TRUE;
    }

  user_text = filter->kind == GIS_FEATURE_FILTER_TEXT ? filter->text : filter->value;
  if (user_text != NULL && !g_utf8_validate (user_text, -1, NULL))
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                           _("The filter text is not valid UTF-8"));
      return FALSE;
    }
  if (filter->column != NULL && !g_utf8_validate (filter->column, -1, NULL))
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                           _("The filter’s column name is not valid UTF-8"));
      return FALSE;
    }

  if (filter->kind == GIS_FEATURE_FILTER_TEXT)
    return text_to_sql (filter, columns, sql, binds);
  return condition_to_sql (filter, columns, sql, binds, error);
}
