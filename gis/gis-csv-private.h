/* gis-csv-private.h: a fast RFC 4180 reader over a mapped file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GisCsvReader GisCsvReader;

typedef struct
{
  const char *ptr;
  gsize       len;
  gboolean    quoted;
} GisCsvField;

typedef enum
{
  GIS_CSV_END = 0,
  GIS_CSV_RECORD,
  GIS_CSV_UNTERMINATED,
} GisCsvStatus;

GisCsvReader      *gis_csv_reader_new            (const char    *path,
                                                  const char    *encoding,
                                                  char           delimiter,
                                                  GError       **error);
void               gis_csv_reader_free           (GisCsvReader  *reader);
char               gis_csv_reader_get_delimiter  (GisCsvReader  *reader);
guint              gis_csv_reader_get_n_columns  (GisCsvReader  *reader);
const char        *gis_csv_reader_get_column     (GisCsvReader  *reader,
                                                  guint          i);
void               gis_csv_reader_rewind         (GisCsvReader  *reader);
GisCsvStatus       gis_csv_reader_next           (GisCsvReader  *reader,
                                                  const GisCsvField **fields,
                                                  guint         *n_fields,
                                                  guint64       *line);
double             gis_csv_reader_get_fraction   (GisCsvReader  *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisCsvReader, gis_csv_reader_free)

G_END_DECLS
