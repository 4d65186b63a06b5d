/* gis-query-parse.c: the text form of a query
 *
 *   expr     := and ('or' and)*
 *   and      := unary ('and' unary)*
 *   unary    := 'not' unary | '(' expr ')' | spatial | date | compare
 *   spatial  := 'within' NUMBER 'km' 'of' ref [mode]
 *             | ('inside' | 'intersects' | 'disjoint') ref
 *             | 'nearest' INTEGER 'to' ref [mode]
 *   ref      := NAME | WKT                  (a layer, or a geometry in lon/lat)
 *   mode     := 'geodesic' | 'analysis'
 *   date     := 'date' ['from' DATE] ['to' DATE]
 *   compare  := NAME ('=' | '!=' | '<>' | '<' | '<=' | '>' | '>=') VALUE
 *             | NAME 'between' VALUE 'and' VALUE
 *             | NAME ['not'] 'in' '(' VALUE (',' VALUE)* ')'
 *             | NAME ['not'] 'like' VALUE
 *             | NAME 'is' ['not'] 'null'
 *   NAME     := word | "double-quoted"       ("" for a quote)
 *   VALUE    := number | 'single-quoted'     ('' for a quote)
 *
 * Keywords are case-insensitive; a field or layer named like one is
 * written in double quotes.  The parser only builds the model: nothing
 * here ever becomes SQL text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "gis-error.h"
#include "gis-query.h"
#include "gis-query-private.h"

#define MAX_DEPTH 64

typedef enum
{
  TOK_END,
  TOK_WORD,       /* a bare word: keyword or name */
  TOK_NAME,       /* "quoted name" */
  TOK_STRING,     /* 'quoted value' */
  TOK_NUMBER,
  TOK_WKT,        /* POINT(...) and the like */
  TOK_OP,         /* = != <> < <= > >= */
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_COMMA,
} TokenKind;

typedef struct
{
  TokenKind  kind;
  char      *text;    /* unquoted */
  gsize      pos;     /* byte offset in the input */
} Token;

typedef struct
{
  const char *input;
  gsize       pos;
  Token       tok;    /* the current token */
  guint       depth;
  GError     *error;
} Parser;

static void
fail_at (Parser     *p,
         gsize       pos,
         const char *format,
         ...) G_GNUC_PRINTF (3, 4);

static void
fail_at (Parser     *p,
         gsize       pos,
         const char *format,
         ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  if (p->error != NULL)
    return;
  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  /* columns count characters, from 1 */
  g_set_error (&p->error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Query, column %ld: %s"),
               g_utf8_pointer_to_offset (p->input, p->input + pos) + 1, what);
}

/* The current token as the user wrote it, for messages. */
static const char *
tok_display (Parser *p)
{
  return p->tok.kind == TOK_END ? _("the end") : p->tok.text;
}

static void
lex (Parser *p)
{
  const char *s = p->input;
  gsize i = p->pos;
  GString *text;

  g_clear_pointer (&p->tok.text, g_free);
  while (g_ascii_isspace (s[i]))
    i++;
  p->tok.pos = i;

  if (s[i] == '\0')
    {
      p->tok.kind = TOK_END;
      p->tok.text = g_strdup ("");
      p->pos = i;
      return;
    }

  if (s[i] == '(' || s[i] == ')' || s[i] == ',')
    {
      p->tok.kind = s[i] == '(' ? TOK_LPAREN : s[i] == ')' ? TOK_RPAREN : TOK_COMMA;
      p->tok.text = g_strndup (s + i, 1);
      p->pos = i + 1;
      return;
    }

  if (s[i] == '=' || s[i] == '<' || s[i] == '>' || s[i] == '!')
    {
      gsize n = 1;

      if ((s[i] == '<' && (s[i + 1] == '=' || s[i + 1] == '>')) ||
          (s[i] == '>' && s[i + 1] == '=') || (s[i] == '!' && s[i + 1] == '='))
        n = 2;
      else if (s[i] == '!')
        {
          fail_at (p, i, _("“!” must be followed by “=”"));
          p->tok.kind = TOK_END;
          p->tok.text = g_strdup ("");
          return;
        }
      p->tok.kind = TOK_OP;
      p->tok.text = g_strndup (s + i, n);
      p->pos = i + n;
      return;
    }

  if (s[i] == '\'' || s[i] == '"')
    {
      char quote = s[i];

      text = g_string_new (NULL);
      for (i++;; i++)
        {
          if (s[i] == '\0')
            {
              fail_at (p, p->tok.pos, quote == '\'' ? _("This value has no closing quote")
                                                    : _("This name has no closing quote"));
              g_string_free (text, TRUE);
              p->tok.kind = TOK_END;
              p->tok.text = g_strdup ("");
              return;
            }
          if (s[i] == quote)
            {
              if (s[i + 1] == quote)
                {
                  g_string_append_c (text, quote);
                  i++;
                  continue;
                }
              break;
            }
          g_string_append_c (text, s[i]);
        }
      p->tok.kind = quote == '\'' ? TOK_STRING : TOK_NAME;
      p->tok.text = g_string_free (text, FALSE);
      p->pos = i + 1;
      return;
    }

  if (g_ascii_isdigit (s[i]) || ((s[i] == '-' || s[i] == '+' || s[i] == '.') &&
                                 (g_ascii_isdigit (s[i + 1]) || (s[i + 1] == '.' && g_ascii_isdigit (s[i + 2])))))
    {
      gsize start = i;

      /* numbers, and the digits-and-dashes of dates ("2021-06-01") */
      i++;
      while (g_ascii_isalnum (s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '+' || s[i] == ':')
        {
          /* a sign only after an exponent or inside a date */
          i++;
        }
      p->tok.kind = TOK_NUMBER;
      p->tok.text = g_strndup (s + start, i - start);
      p->pos = i;
      return;
    }

  if (g_ascii_isalpha (s[i]) || s[i] == '_')
    {
      gsize start = i;
      g_autofree char *word = NULL;
      gsize j;

      while (g_ascii_isalnum (s[i]) || s[i] == '_')
        i++;
      word = g_strndup (s + start, i - start);

      /* a geometry literal: the type word, then its balanced brackets */
      j = i;
      while (g_ascii_isspace (s[j]))
        j++;
      if (gis_query_is_geometry_word (word) && (s[j] == '(' || g_ascii_strncasecmp (s + j, "empty", 5) == 0))
        {
          int depth = 0;

          if (s[j] != '(')
            j += 5;
          else
            for (;; j++)
              {
                if (s[j] == '\0')
                  {
                    fail_at (p, start, _("The geometry “%s” has no closing bracket"), word);
                    p->tok.kind = TOK_END;
                    p->tok.text = g_strdup ("");
                    return;
                  }
                if (s[j] == '(')
                  depth++;
                else if (s[j] == ')' && --depth == 0)
                  {
                    j++;
                    break;
                  }
              }
          p->tok.kind = TOK_WKT;
          p->tok.text = g_strndup (s + start, j - start);
          p->pos = j;
          return;
        }

      p->tok.kind = TOK_WORD;
      p->tok.text = g_steal_pointer (&word);
      p->pos = i;
      return;
    }

  fail_at (p, i, _("Unexpected character “%.*s”"), (int) (g_utf8_next_char (s + i) - (s + i)), s + i);
  p->tok.kind = TOK_END;
  p->tok.text = g_strdup ("");
}

static gboolean
is_word (Parser     *p,
         const char *keyword)
{
  return p->tok.kind == TOK_WORD && g_ascii_strcasecmp (p->tok.text, keyword) == 0;
}

static gboolean
accept_word (Parser     *p,
             const char *keyword)
{
  if (!is_word (p, keyword))
    return FALSE;
  lex (p);
  return TRUE;
}

static gboolean
expect_word (Parser     *p,
             const char *keyword)
{
  if (accept_word (p, keyword))
    return TRUE;
  fail_at (p, p->tok.pos, _("Expected “%s” but found “%s”"), keyword, tok_display (p));
  return FALSE;
}

/* A layer or field name; the caller frees it. */
static char *
take_name (Parser     *p,
           const char *what)
{
  char *name;

  if (p->tok.kind == TOK_NAME || (p->tok.kind == TOK_WORD && !gis_query_is_keyword (p->tok.text)))
    {
      name = g_steal_pointer (&p->tok.text);
      lex (p);
      return name;
    }
  if (p->tok.kind == TOK_WORD)
    fail_at (p, p->tok.pos, _("Expected %s but found the keyword “%s” (write a name like it in double quotes)"),
             what, p->tok.text);
  else
    fail_at (p, p->tok.pos, _("Expected %s but found “%s”"), what, tok_display (p));
  return NULL;
}

static char *
take_value (Parser *p)
{
  char *value;

  if (p->tok.kind == TOK_STRING || p->tok.kind == TOK_NUMBER)
    {
      value = g_steal_pointer (&p->tok.text);
      lex (p);
      return value;
    }
  fail_at (p, p->tok.pos, _("Expected a number or a 'quoted' value but found “%s”"), tok_display (p));
  return NULL;
}

static gboolean
take_number (Parser     *p,
             const char *what,
             double     *out)
{
  char *end = NULL;

  if (p->tok.kind == TOK_NUMBER)
    {
      *out = g_ascii_strtod (p->tok.text, &end);
      if (end != NULL && *end == '\0' && end != p->tok.text)
        {
          lex (p);
          return TRUE;
        }
    }
  fail_at (p, p->tok.pos, _("Expected %s but found “%s”"), what, tok_display (p));
  return FALSE;
}

/* ref [mode] */
static GisQueryNode *
finish_spatial (Parser       *p,
                GisSpatialOp  op,
                double        km,
                guint         n,
                gboolean      takes_mode)
{
  g_autofree char *layer = NULL;
  g_autofree char *wkt = NULL;
  GisDistanceMode mode = GIS_DISTANCE_ANALYSIS;

  if (p->tok.kind == TOK_WKT)
    {
      wkt = g_steal_pointer (&p->tok.text);
      lex (p);
    }
  else
    {
      layer = take_name (p, _("a layer name or a geometry such as POINT(-106.4 31.7)"));
      if (layer == NULL)
        return NULL;
    }
  if (takes_mode)
    {
      if (accept_word (p, "geodesic"))
        mode = GIS_DISTANCE_GEODESIC;
      else
        accept_word (p, "analysis");
    }
  return gis_query_node_new_spatial (op, layer, wkt, km, n, mode);
}

static GisQueryNode *parse_or (Parser *p);

static GisQueryNode *
parse_primary (Parser *p)
{
  gsize start = p->tok.pos;

  if (p->tok.kind == TOK_LPAREN)
    {
      g_autoptr(GisQueryNode) inner = NULL;

      lex (p);
      inner = parse_or (p);
      if (inner == NULL)
        return NULL;
      if (p->tok.kind != TOK_RPAREN)
        {
          fail_at (p, p->tok.pos, _("Expected “)” but found “%s”"), tok_display (p));
          return NULL;
        }
      lex (p);
      return g_steal_pointer (&inner);
    }

  if (accept_word (p, "within"))
    {
      double km;

      if (!take_number (p, _("a distance in km"), &km) || !expect_word (p, "km") || !expect_word (p, "of"))
        return NULL;
      return finish_spatial (p, GIS_SPATIAL_WITHIN, km, 0, TRUE);
    }
  if (accept_word (p, "inside"))
    return finish_spatial (p, GIS_SPATIAL_INSIDE, 0, 0, FALSE);
  if (accept_word (p, "intersects"))
    return finish_spatial (p, GIS_SPATIAL_INTERSECTS, 0, 0, FALSE);
  if (accept_word (p, "disjoint"))
    return finish_spatial (p, GIS_SPATIAL_DISJOINT, 0, 0, FALSE);
  if (accept_word (p, "nearest"))
    {
      double n;
      gsize at = p->tok.pos;

      if (!take_number (p, _("a number of features"), &n))
        return NULL;
      if (n != (guint) n || n < 1 || n > GIS_QUERY_MAX_NEAREST)
        {
          fail_at (p, at, _("“nearest” takes a whole number from 1 to %d"), GIS_QUERY_MAX_NEAREST);
          return NULL;
        }
      if (!expect_word (p, "to"))
        return NULL;
      return finish_spatial (p, GIS_SPATIAL_NEAREST, 0, (guint) n, TRUE);
    }

  if (accept_word (p, "date"))
    {
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      GError *local_error = NULL;
      GisQueryNode *node;

      if (accept_word (p, "from"))
        {
          if (p->tok.kind != TOK_NUMBER)
            {
              fail_at (p, p->tok.pos, _("Expected a date (YYYY-MM-DD, YYYY-MM or YYYY) but found “%s”"),
                       tok_display (p));
              return NULL;
            }
          from = g_steal_pointer (&p->tok.text);
          lex (p);
        }
      if (accept_word (p, "to"))
        {
          if (p->tok.kind != TOK_NUMBER)
            {
              fail_at (p, p->tok.pos, _("Expected a date (YYYY-MM-DD, YYYY-MM or YYYY) but found “%s”"),
                       tok_display (p));
              return NULL;
            }
          to = g_steal_pointer (&p->tok.text);
          lex (p);
        }
      node = gis_query_node_new_date_range (from, to, &local_error);
      if (node == NULL)
        {
          fail_at (p, start, "%s", local_error->message);
          g_error_free (local_error);
        }
      return node;
    }

  /* a comparison */
  {
    g_autofree char *field = take_name (p, _("a condition or a field name"));
    gboolean negate = FALSE;
    GisQueryNode *node = NULL;

    if (field == NULL)
      return NULL;

    if (p->tok.kind == TOK_OP)
      {
        static const struct { const char *text; GisCompareOp op; } ops[] = {
          { "=", GIS_COMPARE_EQ }, { "!=", GIS_COMPARE_NE }, { "<>", GIS_COMPARE_NE },
          { "<", GIS_COMPARE_LT }, { "<=", GIS_COMPARE_LE }, { ">", GIS_COMPARE_GT },
          { ">=", GIS_COMPARE_GE },
        };
        GisCompareOp op = GIS_COMPARE_EQ;
        g_autofree char *value = NULL;

        for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
          if (strcmp (ops[i].text, p->tok.text) == 0)
            op = ops[i].op;
        lex (p);
        value = take_value (p);
        if (value == NULL)
          return NULL;
        return gis_query_node_new_compare (field, op, (const char *const[]) { value, NULL });
      }

    if (accept_word (p, "between"))
      {
        g_autofree char *low = take_value (p);
        g_autofree char *high = NULL;

        if (low == NULL || !expect_word (p, "and") || (high = take_value (p)) == NULL)
          return NULL;
        return gis_query_node_new_compare (field, GIS_COMPARE_BETWEEN,
                                           (const char *const[]) { low, high, NULL });
      }

    if (accept_word (p, "is"))
      {
        gboolean not_null = accept_word (p, "not");

        if (!expect_word (p, "null"))
          return NULL;
        return gis_query_node_new_compare (field, not_null ? GIS_COMPARE_IS_NOT_NULL : GIS_COMPARE_IS_NULL,
                                           NULL);
      }

    negate = accept_word (p, "not");
    if (accept_word (p, "like"))
      {
        g_autofree char *pattern = take_value (p);

        if (pattern == NULL)
          return NULL;
        node = gis_query_node_new_compare (field, GIS_COMPARE_LIKE, (const char *const[]) { pattern, NULL });
      }
    else if (accept_word (p, "in"))
      {
        g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
        g_auto(GStrv) strv = NULL;

        if (p->tok.kind != TOK_LPAREN)
          {
            fail_at (p, p->tok.pos, _("Expected “(” but found “%s”"), tok_display (p));
            return NULL;
          }
        do
          {
            g_autofree char *value = NULL;

            lex (p);
            value = take_value (p);
            if (value == NULL)
              return NULL;
            g_strv_builder_add (values, value);
          }
        while (p->tok.kind == TOK_COMMA);
        if (p->tok.kind != TOK_RPAREN)
          {
            fail_at (p, p->tok.pos, _("Expected “,” or “)” but found “%s”"), tok_display (p));
            return NULL;
          }
        lex (p);
        strv = g_strv_builder_end (values);
        node = gis_query_node_new_compare (field, GIS_COMPARE_IN, (const char *const *) strv);
      }
    else
      {
        fail_at (p, p->tok.pos, _("Expected a comparison after “%s” (=, !=, <, <=, >, >=, between, in, like, is null) "
                                  "but found “%s”"), field, tok_display (p));
        return NULL;
      }

    if (negate)
      {
        GisQueryNode *not = gis_query_node_new_not (node);

        gis_query_node_unref (node);
        node = not;
      }
    return node;
  }
}

static GisQueryNode *
parse_unary (Parser *p)
{
  if (++p->depth > MAX_DEPTH)
    {
      fail_at (p, p->tok.pos, _("The query nests more than %d levels"), MAX_DEPTH);
      return NULL;
    }

  if (accept_word (p, "not"))
    {
      g_autoptr(GisQueryNode) child = parse_unary (p);

      p->depth--;
      return child != NULL ? gis_query_node_new_not (child) : NULL;
    }

  {
    GisQueryNode *node = parse_primary (p);

    p->depth--;
    return node;
  }
}

static GisQueryNode *
parse_chain (Parser           *p,
             GisQueryNodeKind  kind)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_query_node_unref);
  const char *joiner = kind == GIS_QUERY_NODE_AND ? "and" : "or";

  do
    {
      GisQueryNode *item = kind == GIS_QUERY_NODE_AND ? parse_unary (p) : parse_chain (p, GIS_QUERY_NODE_AND);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (items, item);
    }
  while (accept_word (p, joiner));

  if (items->len == 1)
    return gis_query_node_ref (g_ptr_array_index (items, 0));
  return gis_query_node_new_group (kind, (GisQueryNode *const *) items->pdata, items->len);
}

static GisQueryNode *
parse_or (Parser *p)
{
  return parse_chain (p, GIS_QUERY_NODE_OR);
}

/**
 * gis_query_parse_condition:
 * @text: a condition, such as "within 50 km of ports and severity >= 4"
 * @error: return location for an error naming the column at fault
 *
 * Returns: (transfer full) (nullable): the condition
 */
GisQueryNode *
gis_query_parse_condition (const char  *text,
                           GError     **error)
{
  Parser p = { .input = text };
  g_autoptr(GisQueryNode) node = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The query is not valid UTF-8 text"));
      return NULL;
    }

  lex (&p);
  if (p.tok.kind == TOK_END && p.error == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The query is empty"));
      g_free (p.tok.text);
      return NULL;
    }
  node = parse_or (&p);
  if (node != NULL && p.tok.kind != TOK_END)
    fail_at (&p, p.tok.pos, _("Expected “and”, “or” or the end but found “%s”"), tok_display (&p));
  g_free (p.tok.text);

  if (p.error != NULL)
    {
      g_propagate_error (error, p.error);
      return NULL;
    }
  return g_steal_pointer (&node);
}

/**
 * gis_query_parse:
 * @target: the layer whose features are selected
 * @text: (nullable): its condition as text; %NULL or blank for every feature
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the query
 */
GisQuery *
gis_query_parse (const char  *target,
                 const char  *text,
                 GError     **error)
{
  g_autoptr(GisQueryNode) where = NULL;

  g_return_val_if_fail (target != NULL, NULL);

  if (text != NULL)
    {
      const char *p = text;

      while (g_ascii_isspace (*p))
        p++;
      if (*p != '\0' && (where = gis_query_parse_condition (text, error)) == NULL)
        return NULL;
    }
  return gis_query_new (target, where);
}
