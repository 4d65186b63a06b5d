/* gis-csv.c: RFC 4180 CSV over a memory-mapped file
 *
 * Unquoted fields and quoted fields without doubled quotes point straight
 * into the mapping; only fields with "" are copied.  The header is the
 * first record.  Line numbers count physical lines from 1 (the header),
 * so a rejected row is reported where a spreadsheet or an editor shows it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-csv"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "gis-csv-private.h"
#include "gis-error.h"

struct _GisCsvReader
{
  GMappedFile *mapped;
  char        *converted;
  const char  *data;
  gsize        len;
  gsize        body_start;   /* first byte after the header */
  guint64      body_line;    /* line number of body_start */

  gsize        pos;
  guint64      line;
  char         delim;

  GPtrArray   *columns;

  GArray      *fields;       /* GisCsvField of the current record */
  GArray      *copies;       /* (field index, scratch offset) pairs */
  GString     *scratch;
};

static char
detect_delimiter (const char *data,
                  gsize       len)
{
  static const char candidates[] = { ',', ';', '\t', '|' };
  guint counts[G_N_ELEMENTS (candidates)] = { 0 };
  gboolean in_quotes = FALSE;
  guint best = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '"')
        in_quotes = !in_quotes;
      else if (!in_quotes && (c == '\n' || c == '\r'))
        break;
      else if (!in_quotes)
        for (guint k = 0; k < G_N_ELEMENTS (candidates); k++)
          if (c == candidates[k])
            counts[k]++;
    }

  for (guint k = 1; k < G_N_ELEMENTS (candidates); k++)
    if (counts[k] > counts[best])
      best = k;
  return candidates[best];
}

/* Reads one record at reader->pos.  Fields land in reader->fields. */
static GisCsvStatus
read_record (GisCsvReader *r,
             guint64      *out_line)
{
  const char *data = r->data;
  gsize len = r->len;
  gsize p = r->pos;

  g_array_set_size (r->fields, 0);
  g_array_set_size (r->copies, 0);
  g_string_truncate (r->scratch, 0);

  /* skip blank lines */
  while (p < len && (data[p] == '\n' || data[p] == '\r'))
    {
      if (data[p] == '\n')
        r->line++;
      p++;
    }
  if (p >= len)
    {
      r->pos = p;
      return GIS_CSV_END;
    }

  *out_line = r->line;

  for (;;)
    {
      GisCsvField field = { data + p, 0, FALSE };

      if (p < len && data[p] == '"')
        {
          gsize start = ++p;
          gboolean has_escape = FALSE;

          field.quoted = TRUE;
          for (;;)
            {
              const char *q = memchr (data + p, '"', len - p);
              gsize qpos;

              if (q == NULL)
                {
                  /* count the lines we ran over, then give up */
                  for (gsize i = p; i < len; i++)
                    if (data[i] == '\n')
                      r->line++;
                  r->pos = len;
                  return GIS_CSV_UNTERMINATED;
                }
              qpos = (gsize) (q - data);
              for (gsize i = p; i < qpos; i++)
                if (data[i] == '\n')
                  r->line++;
              if (qpos + 1 < len && data[qpos + 1] == '"')
                {
                  has_escape = TRUE;
                  p = qpos + 2;
                  continue;
                }
              p = qpos + 1;
              if (!has_escape)
                {
                  field.ptr = data + start;
                  field.len = qpos - start;
                }
              else
                {
                  gsize off = r->scratch->len;
                  gsize idx = r->fields->len;

                  for (gsize i = start; i < qpos; i++)
                    {
                      g_string_append_c (r->scratch, data[i]);
                      if (data[i] == '"')
                        i++;
                    }
                  field.len = r->scratch->len - off;
                  g_array_append_val (r->copies, idx);
                  g_array_append_val (r->copies, off);
                }
              break;
            }
          /* anything between the closing quote and the delimiter is kept
           * out, as spreadsheets do */
          while (p < len && data[p] != r->delim && data[p] != '\n' && data[p] != '\r')
            p++;
        }
      else
        {
          gsize start = p;

          while (p < len && data[p] != r->delim && data[p] != '\n' && data[p] != '\r')
            p++;
          field.ptr = data + start;
          field.len = p - start;
        }

      g_array_append_val (r->fields, field);

      if (p < len && data[p] == r->delim)
        {
          p++;
          continue;
        }

      /* end of record */
      if (p < len && data[p] == '\r')
        p++;
      if (p < len && data[p] == '\n')
        {
          p++;
          r->line++;
        }
      break;
    }

  /* resolve the copied fields now that scratch no longer moves */
  for (guint i = 0; i < r->copies->len; i += 2)
    {
      gsize idx = g_array_index (r->copies, gsize, i);
      gsize off = g_array_index (r->copies, gsize, i + 1);

      g_array_index (r->fields, GisCsvField, idx).ptr = r->scratch->str + off;
    }

  r->pos = p;
  return GIS_CSV_RECORD;
}

/**
 * gis_csv_reader_new:
 * @path: a CSV file
 * @encoding: (nullable): the file's encoding, %NULL for UTF-8
 * @delimiter: the field delimiter, or 0 to detect it from the header
 * @error: return location for a #GIS_ERROR error
 *
 * Returns: (transfer full) (nullable): a reader positioned after the header
 */
GisCsvReader *
gis_csv_reader_new (const char  *path,
                    const char  *encoding,
                    char         delimiter,
                    GError     **error)
{
  g_autoptr(GisCsvReader) r = g_new0 (GisCsvReader, 1);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) seen = NULL;
  const GisCsvField *fields;
  guint n_fields;
  guint64 line;

  r->fields = g_array_new (FALSE, FALSE, sizeof (GisCsvField));
  r->copies = g_array_new (FALSE, FALSE, sizeof (gsize));
  r->scratch = g_string_new (NULL);
  r->columns = g_ptr_array_new_with_free_func (g_free);
  r->line = 1;

  r->mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (r->mapped == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot read “%s”: %s"),
                   path, local_error->message);
      return NULL;
    }
  r->data = g_mapped_file_get_contents (r->mapped);
  r->len = g_mapped_file_get_length (r->mapped);

  if (r->len == 0 || r->data == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is empty"), path);
      return NULL;
    }

  if (encoding != NULL && g_ascii_strcasecmp (encoding, "UTF-8") != 0 &&
      g_ascii_strcasecmp (encoding, "UTF8") != 0)
    {
      gsize written = 0;

      r->converted = g_convert (r->data, r->len, "UTF-8", encoding, NULL, &written,
                                &local_error);
      if (r->converted == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Cannot read “%s” as %s: %s"), path, encoding,
                       local_error->message);
          return NULL;
        }
      r->data = r->converted;
      r->len = written;
      g_clear_pointer (&r->mapped, g_mapped_file_unref);
    }

  /* UTF-8 byte order mark */
  if (r->len >= 3 && memcmp (r->data, "\xEF\xBB\xBF", 3) == 0)
    r->pos = 3;

  r->delim = delimiter != 0 ? delimiter : detect_delimiter (r->data + r->pos, r->len - r->pos);

  switch (gis_csv_reader_next (r, &fields, &n_fields, &line))
    {
    case GIS_CSV_END:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is empty: it has no header line"), path);
      return NULL;
    case GIS_CSV_UNTERMINATED:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s”, line %" PRIu64 ": the header has an unterminated quoted field"),
                   path, line);
      return NULL;
    case GIS_CSV_RECORD:
    default:
      break;
    }

  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *folded = NULL;
      gpointer previous;

      if (!g_utf8_validate_len (fields[i].ptr, fields[i].len, NULL))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("“%s”, line %" PRIu64 ", column %u: the column name "
                         "is not valid UTF-8 text (state the file’s encoding)"),
                       path, line, i + 1);
          return NULL;
        }
      name = g_strstrip (g_strndup (fields[i].ptr, fields[i].len));
      if (*name == '\0')
        {
          g_free (name);
          name = g_strdup_printf ("field_%u", i + 1);
        }

      /* SQLite column names are case-insensitive */
      folded = g_utf8_casefold (name, -1);
      if (g_hash_table_lookup_extended (seen, folded, NULL, &previous))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("“%s”, line %" PRIu64 ": the column name “%s” appears "
                         "twice (columns %u and %u)"),
                       path, line, name, GPOINTER_TO_UINT (previous), i + 1);
          return NULL;
        }
      g_hash_table_insert (seen, g_steal_pointer (&folded), GUINT_TO_POINTER (i + 1));
      g_ptr_array_add (r->columns, g_steal_pointer (&name));
    }

  r->body_start = r->pos;
  r->body_line = r->line;

  return g_steal_pointer (&r);
}

void
gis_csv_reader_free (GisCsvReader *reader)
{
  if (reader == NULL)
    return;

  g_clear_pointer (&reader->mapped, g_mapped_file_unref);
  g_free (reader->converted);
  g_array_unref (reader->fields);
  g_array_unref (reader->copies);
  g_string_free (reader->scratch, TRUE);
  g_ptr_array_unref (reader->columns);
  g_free (reader);
}

char
gis_csv_reader_get_delimiter (GisCsvReader *reader)
{
  return reader->delim;
}

guint
gis_csv_reader_get_n_columns (GisCsvReader *reader)
{
  return reader->columns->len;
}

const char *
gis_csv_reader_get_column (GisCsvReader *reader,
                           guint         i)
{
  g_return_val_if_fail (i < reader->columns->len, NULL);
  return g_ptr_array_index (reader->columns, i);
}

void
gis_csv_reader_rewind (GisCsvReader *reader)
{
  reader->pos = reader->body_start;
  reader->line = reader->body_line;
}

/**
 * gis_csv_reader_next:
 * @reader: a reader
 * @fields: (out) (transfer none): the record's fields, valid until the
 *   next call
 * @n_fields: (out): how many
 * @line: (out): the line the record starts on
 *
 * Returns: %GIS_CSV_RECORD, %GIS_CSV_END, or %GIS_CSV_UNTERMINATED when a
 *   quoted field runs to the end of the file
 */
GisCsvStatus
gis_csv_reader_next (GisCsvReader       *reader,
                     const GisCsvField **fields,
                     guint              *n_fields,
                     guint64            *line)
{
  GisCsvStatus status = read_record (reader, line);

  *fields = (const GisCsvField *) (gpointer) reader->fields->data;
  *n_fields = reader->fields->len;
  return status;
}

double
gis_csv_reader_get_fraction (GisCsvReader *reader)
{
  return reader->len > 0 ? (double) reader->pos / (double) reader->len : 1.0;
}
