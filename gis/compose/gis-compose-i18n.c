/* gis-compose-i18n.c: text of an export in its own language
 *
 * A map composition is written in the language asked for (English,
 * French or Spanish), whatever the interface's.  gettext cannot do that
 * safely here: its catalogs follow the process locale (or the LANGUAGE
 * variable, which it ignores under the C locale, and which is process-wide
 * state that another thread may be reading), and a machine may not have
 * the fr_CA or es_MX locales that uselocale() would need.  So the
 * composition reads the same compiled catalogs (the atalaya.mo files of
 * the directory bound to the text domain) itself: each is loaded once,
 * under a lock, into a hash table that is never changed afterwards, so
 * any number of threads look messages up at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "gis-compose-i18n-private.h"

#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U

static GMutex catalogs_lock;
static GHashTable *catalogs[GIS_N_LANGUAGES];   /* msgid (with "context\4") -> msgstr */
static gboolean catalogs_tried[GIS_N_LANGUAGES];

static const char *const language_dirs[GIS_N_LANGUAGES] = { NULL, "fr", "es" };

static guint32
mo_word (const guint8 *data,
         gsize         offset,
         gboolean      swapped)
{
  guint32 w;

  memcpy (&w, data + offset, sizeof w);
  return swapped ? GUINT32_SWAP_LE_BE (w) : w;
}

/* Parses a GNU .mo file; an unreadable or malformed one gives an empty
 * table, and the export falls back to English. */
static GHashTable *
load_mo (const char *path)
{
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GMappedFile) file = NULL;
  const guint8 *data;
  gsize size;
  guint32 magic, n, orig, trans;
  gboolean swapped;

  file = g_mapped_file_new (path, FALSE, NULL);
  if (file == NULL)
    return table;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  if (size < 28)
    return table;

  memcpy (&magic, data, sizeof magic);
  if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
    return table;
  swapped = magic == MO_MAGIC_SWAPPED;
  n = mo_word (data, 8, swapped);
  orig = mo_word (data, 12, swapped);
  trans = mo_word (data, 16, swapped);
  if ((guint64) orig + (guint64) n * 8 > size || (guint64) trans + (guint64) n * 8 > size)
    return table;

  for (guint32 i = 0; i < n; i++)
    {
      guint32 klen = mo_word (data, orig + i * 8, swapped);
      guint32 koff = mo_word (data, orig + i * 8 + 4, swapped);
      guint32 vlen = mo_word (data, trans + i * 8, swapped);
      guint32 voff = mo_word (data, trans + i * 8 + 4, swapped);

      if ((guint64) koff + klen >= size || (guint64) voff + vlen >= size || klen == 0)
        continue;
      /* the key up to its first NUL: a plural entry is "singular\0plural",
       * and its value the forms, of which the first is the singular */
      g_hash_table_insert (table,
                           g_strndup ((const char *) data + koff, klen),
                           g_strndup ((const char *) data + voff, vlen));
    }
  return table;
}

static GHashTable *
get_catalog (GisLanguage language)
{
  GHashTable *table;

  if (language <= GIS_LANGUAGE_EN || language >= GIS_N_LANGUAGES)
    return NULL;

  g_mutex_lock (&catalogs_lock);
  if (!catalogs_tried[language])
    {
      /* bindtextdomain (…, NULL) answers the directory bound, or the
       * default one */
      const char *dir = bindtextdomain (GETTEXT_PACKAGE, NULL);
      g_autofree char *path = g_build_filename (dir != NULL ? dir : LOCALEDIR,
                                                language_dirs[language], "LC_MESSAGES",
                                                GETTEXT_PACKAGE ".mo", NULL);

      catalogs[language] = load_mo (path);
      catalogs_tried[language] = TRUE;
    }
  table = catalogs[language];
  g_mutex_unlock (&catalogs_lock);
  return table;
}

/*
 * gis_compose_tr:
 * @language: the export's language
 * @msgid: an English message, marked with N_()
 *
 * Returns: (transfer none): its translation, or @msgid; valid for the
 *   life of the process
 */
const char *
gis_compose_tr (GisLanguage  language,
                const char  *msgid)
{
  GHashTable *table = get_catalog (language);
  const char *msgstr;

  g_assert (msgid != NULL);

  if (table == NULL)
    return msgid;
  msgstr = g_hash_table_lookup (table, msgid);
  return msgstr != NULL && *msgstr != '\0' ? msgstr : msgid;
}

/* As gis_compose_tr(), for a message with a context (NC_()). */
const char *
gis_compose_tr_c (GisLanguage  language,
                  const char  *context,
                  const char  *msgid)
{
  GHashTable *table = get_catalog (language);
  g_autofree char *key = NULL;
  const char *msgstr;

  g_assert (context != NULL && msgid != NULL);

  if (table == NULL)
    return msgid;
  key = g_strconcat (context, "\004", msgid, NULL);
  msgstr = g_hash_table_lookup (table, key);
  return msgstr != NULL && *msgstr != '\0' ? msgstr : msgid;
}

/* "28 November 2026" in the export's language, as its readers write it. */
char *
gis_compose_format_date (GisLanguage  language,
                         GDateTime   *date)
{
  static const char *const months[12] = {
    NC_("month", "January"), NC_("month", "February"), NC_("month", "March"),
    NC_("month", "April"), NC_("month", "May"), NC_("month", "June"),
    NC_("month", "July"), NC_("month", "August"), NC_("month", "September"),
    NC_("month", "October"), NC_("month", "November"), NC_("month", "December"),
  };
  const char *month = gis_compose_tr_c (language, "month", months[g_date_time_get_month (date) - 1]);

  switch (language)
    {
    case GIS_LANGUAGE_FR:
      return g_strdup_printf ("%d %s %d", g_date_time_get_day_of_month (date), month,
                              g_date_time_get_year (date));
    case GIS_LANGUAGE_ES:
      return g_strdup_printf ("%d de %s de %d", g_date_time_get_day_of_month (date), month,
                              g_date_time_get_year (date));
    case GIS_LANGUAGE_EN:
    case GIS_N_LANGUAGES:
    default:
      return g_strdup_printf ("%s %d, %d", month, g_date_time_get_day_of_month (date),
                              g_date_time_get_year (date));
    }
}

/* An integer with its thousands grouped: "12,500,000" in English,
 * "12 500 000" (narrow no-break spaces) in French and Spanish. */
char *
gis_compose_format_int (GisLanguage language,
                        gint64      value)
{
  const char *sep = language == GIS_LANGUAGE_EN ? "," : "\u202f";
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                             (guint64) (value < 0 ? -value : value));
  GString *out = g_string_new (value < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, sep);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}
