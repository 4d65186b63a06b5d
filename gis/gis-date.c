/* gis-date.c: a locale-independent strptime subset
 *
 * Import dates arrive in every shape.  The user states the format with
 * strptime directives (%d/%m/%Y); without one, ISO 8601 is accepted.
 * Month names are read in English, French and Spanish whatever the
 * locale, so one format serves the three countries' files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "gis-date-private.h"

typedef struct
{
  int year, month, day, hour, minute, second;
  int offset_min;     /* minutes east of UTC */
  int pm;             /* -1 none, 0 am, 1 pm */
  gboolean hour12;
} Fields;

typedef struct
{
  const char *name;
  int month;
} MonthName;

/* Lower case, ASCII and accented forms; the longest match wins. */
static const MonthName month_names[] = {
  /* English */
  { "january", 1 }, { "february", 2 }, { "march", 3 }, { "april", 4 },
  { "may", 5 }, { "june", 6 }, { "july", 7 }, { "august", 8 },
  { "september", 9 }, { "october", 10 }, { "november", 11 }, { "december", 12 },
  { "jan", 1 }, { "feb", 2 }, { "mar", 3 }, { "apr", 4 }, { "jun", 6 },
  { "jul", 7 }, { "aug", 8 }, { "sep", 9 }, { "sept", 9 }, { "oct", 10 },
  { "nov", 11 }, { "dec", 12 },
  /* French */
  { "janvier", 1 }, { "février", 2 }, { "fevrier", 2 }, { "mars", 3 },
  { "avril", 4 }, { "mai", 5 }, { "juin", 6 }, { "juillet", 7 },
  { "août", 8 }, { "aout", 8 }, { "septembre", 9 }, { "octobre", 10 },
  { "novembre", 11 }, { "décembre", 12 }, { "decembre", 12 },
  { "janv", 1 }, { "févr", 2 }, { "fevr", 2 }, { "avr", 4 }, { "juil", 7 },
  { "déc", 12 },
  /* Spanish */
  { "enero", 1 }, { "febrero", 2 }, { "marzo", 3 }, { "abril", 4 },
  { "mayo", 5 }, { "junio", 6 }, { "julio", 7 }, { "agosto", 8 },
  { "septiembre", 9 }, { "setiembre", 9 }, { "octubre", 10 },
  { "noviembre", 11 }, { "diciembre", 12 },
  { "ene", 1 }, { "abr", 4 }, { "ago", 8 }, { "set", 9 }, { "dic", 12 },
};

static int
days_in_month (int year,
               int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    return 29;
  return days[month - 1];
}

static gboolean
read_int (const char **p,
          const char  *end,
          int          min_digits,
          int          max_digits,
          int         *out)
{
  int v = 0, n = 0;

  while (*p < end && n < max_digits && g_ascii_isdigit (**p))
    {
      v = v * 10 + (**p - '0');
      (*p)++;
      n++;
    }
  if (n < min_digits)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
read_month_name (const char **p,
                 const char  *end,
                 int         *out)
{
  gsize best_len = 0;
  int best = 0;

  for (guint i = 0; i < G_N_ELEMENTS (month_names); i++)
    {
      gsize n = strlen (month_names[i].name);
      gsize j;

      if ((gsize) (end - *p) < n || n <= best_len)
        continue;
      for (j = 0; j < n; j++)
        {
          guchar a = (guchar) (*p)[j];
          guchar b = (guchar) month_names[i].name[j];

          /* ASCII letters fold; the UTF-8 bytes of accented letters must
           * match the lower-case form exactly, or the upper-case form in
           * the É/Û/À range (first byte 0xC3, second byte - 0x20). */
          if (a < 0x80)
            {
              if (g_ascii_tolower (a) != b)
                break;
            }
          else if (a != b && !(j > 0 && (guchar) (*p)[j - 1] == 0xC3 && a + 0x20 == b))
            break;
        }
      if (j == n)
        {
          best_len = n;
          best = month_names[i].month;
        }
    }

  if (best == 0)
    return FALSE;

  *p += best_len;
  if (*p < end && **p == '.')
    (*p)++;
  *out = best;
  return TRUE;
}

static gboolean
read_offset (const char **p,
             const char  *end,
             int         *out_min)
{
  int sign, hh, mm = 0;

  if (*p < end && (**p == 'Z' || **p == 'z'))
    {
      (*p)++;
      *out_min = 0;
      return TRUE;
    }
  if (*p >= end || (**p != '+' && **p != '-'))
    return FALSE;
  sign = **p == '-' ? -1 : 1;
  (*p)++;
  if (!read_int (p, end, 2, 2, &hh))
    return FALSE;
  if (*p < end && **p == ':')
    (*p)++;
  if (*p < end && g_ascii_isdigit (**p) && !read_int (p, end, 2, 2, &mm))
    return FALSE;
  if (hh > 14 || mm > 59)
    return FALSE;
  *out_min = sign * (hh * 60 + mm);
  return TRUE;
}

static void
skip_fraction (const char **p,
               const char  *end)
{
  if (*p < end && (**p == '.' || **p == ','))
    {
      const char *q = *p + 1;

      if (q < end && g_ascii_isdigit (*q))
        {
          while (q < end && g_ascii_isdigit (*q))
            q++;
          *p = q;
        }
    }
}

static gboolean
parse_with_format (const char *text,
                   gsize       len,
                   const char *format,
                   Fields     *f)
{
  const char *p = text;
  const char *end = text + len;

  for (const char *fp = format; *fp != '\0'; fp++)
    {
      if (*fp == ' ')
        {
          while (p < end && g_ascii_isspace (*p))
            p++;
          continue;
        }

      if (*fp != '%')
        {
          if (p >= end || *p != *fp)
            return FALSE;
          p++;
          continue;
        }

      fp++;
      switch (*fp)
        {
        case 'Y':
          if (!read_int (&p, end, 4, 4, &f->year))
            return FALSE;
          break;
        case 'y':
          if (!read_int (&p, end, 2, 2, &f->year))
            return FALSE;
          f->year += f->year < 69 ? 2000 : 1900;
          break;
        case 'm':
          if (!read_int (&p, end, 1, 2, &f->month))
            return FALSE;
          break;
        case 'd':
        case 'e':
          while (*fp == 'e' && p < end && *p == ' ')
            p++;
          if (!read_int (&p, end, 1, 2, &f->day))
            return FALSE;
          break;
        case 'H':
          if (!read_int (&p, end, 1, 2, &f->hour))
            return FALSE;
          break;
        case 'I':
          if (!read_int (&p, end, 1, 2, &f->hour))
            return FALSE;
          f->hour12 = TRUE;
          break;
        case 'M':
          if (!read_int (&p, end, 1, 2, &f->minute))
            return FALSE;
          break;
        case 'S':
          if (!read_int (&p, end, 1, 2, &f->second))
            return FALSE;
          skip_fraction (&p, end);
          break;
        case 'b':
        case 'B':
        case 'h':
          if (!read_month_name (&p, end, &f->month))
            return FALSE;
          break;
        case 'p':
          if (end - p >= 2 && g_ascii_strncasecmp (p, "am", 2) == 0)
            f->pm = 0;
          else if (end - p >= 2 && g_ascii_strncasecmp (p, "pm", 2) == 0)
            f->pm = 1;
          else
            return FALSE;
          p += 2;
          break;
        case 'z':
          if (!read_offset (&p, end, &f->offset_min))
            return FALSE;
          break;
        case 'Z':
          if (end - p >= 3 && g_ascii_strncasecmp (p, "UTC", 3) == 0)
            p += 3;
          else if (end - p >= 3 && g_ascii_strncasecmp (p, "GMT", 3) == 0)
            p += 3;
          else if (p < end && (*p == 'Z' || *p == 'z'))
            p++;
          else
            return FALSE;
          break;
        case 'T':
          if (!read_int (&p, end, 1, 2, &f->hour) || p >= end || *p++ != ':' ||
              !read_int (&p, end, 1, 2, &f->minute) || p >= end || *p++ != ':' ||
              !read_int (&p, end, 1, 2, &f->second))
            return FALSE;
          skip_fraction (&p, end);
          break;
        case 'F':
          if (!read_int (&p, end, 4, 4, &f->year) || p >= end || *p++ != '-' ||
              !read_int (&p, end, 1, 2, &f->month) || p >= end || *p++ != '-' ||
              !read_int (&p, end, 1, 2, &f->day))
            return FALSE;
          break;
        case '%':
          if (p >= end || *p != '%')
            return FALSE;
          p++;
          break;
        default:
          return FALSE;
        }
    }

  while (p < end && g_ascii_isspace (*p))
    p++;
  return p == end;
}

/* YYYY-MM-DD or YYYY/MM/DD, then optionally T or space, HH:MM[:SS[.f]],
 * then optionally Z or an offset. */
static gboolean
parse_iso (const char *text,
           gsize       len,
           Fields     *f)
{
  const char *p = text;
  const char *end = text + len;
  char sep;

  if (!read_int (&p, end, 4, 4, &f->year) || p >= end)
    return FALSE;
  sep = *p;
  if (sep != '-' && sep != '/')
    return FALSE;
  p++;
  if (!read_int (&p, end, 1, 2, &f->month) || p >= end || *p != sep)
    return FALSE;
  p++;
  if (!read_int (&p, end, 1, 2, &f->day))
    return FALSE;

  if (p < end && (*p == 'T' || *p == 't' || *p == ' '))
    {
      p++;
      if (!read_int (&p, end, 2, 2, &f->hour) || p >= end || *p != ':')
        return FALSE;
      p++;
      if (!read_int (&p, end, 2, 2, &f->minute))
        return FALSE;
      if (p < end && *p == ':')
        {
          p++;
          if (!read_int (&p, end, 2, 2, &f->second))
            return FALSE;
          skip_fraction (&p, end);
        }
      while (p < end && *p == ' ')
        p++;
      if (p < end && !read_offset (&p, end, &f->offset_min))
        return FALSE;
    }

  return p == end;
}

/**
 * gis_date_parse:
 * @text: the value (need not be NUL-terminated)
 * @len: its length in bytes
 * @format: (nullable): strptime directives, or %NULL for ISO 8601
 * @out: (out): "YYYY-MM-DDTHH:MM:SSZ"
 *
 * Returns: %TRUE if @text is a real date in @format
 */
gboolean
gis_date_parse (const char *text,
                gsize       len,
                const char *format,
                char        out[GIS_DATE_ISO_LEN])
{
  Fields f = { 0, 0, 0, 0, 0, 0, 0, -1, FALSE };
  gboolean ok;

  while (len > 0 && g_ascii_isspace (*text))
    {
      text++;
      len--;
    }
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  if (len == 0)
    return FALSE;

  if (format != NULL && *format != '\0')
    {
      /* a format without a day (or month) means the first one: "%b %Y" */
      f.month = 1;
      f.day = 1;
      ok = parse_with_format (text, len, format, &f);
    }
  else
    ok = parse_iso (text, len, &f);
  if (!ok)
    return FALSE;

  if (f.hour12)
    {
      if (f.hour < 1 || f.hour > 12)
        return FALSE;
      if (f.pm == 1 && f.hour != 12)
        f.hour += 12;
      else if (f.pm == 0 && f.hour == 12)
        f.hour = 0;
    }

  if (f.year < 1 || f.month < 1 || f.month > 12 || f.day < 1 ||
      f.day > days_in_month (f.year, f.month) || f.hour > 23 ||
      f.minute > 59 || f.second > 60)
    return FALSE;
  if (f.second == 60)
    f.second = 59;

  if (f.offset_min != 0)
    {
      g_autoptr(GDateTime) local = g_date_time_new_utc (f.year, f.month, f.day,
                                                        f.hour, f.minute, f.second);
      g_autoptr(GDateTime) utc = NULL;

      if (local == NULL)
        return FALSE;
      utc = g_date_time_add_minutes (local, -f.offset_min);
      if (utc == NULL)
        return FALSE;
      f.year = g_date_time_get_year (utc);
      f.month = g_date_time_get_month (utc);
      f.day = g_date_time_get_day_of_month (utc);
      f.hour = g_date_time_get_hour (utc);
      f.minute = g_date_time_get_minute (utc);
      f.second = g_date_time_get_second (utc);
    }

  if (f.year > 9999)
    return FALSE;

  g_snprintf (out, GIS_DATE_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
              f.year, f.month, f.day, f.hour, f.minute, f.second);
  return TRUE;
}

/**
 * gis_date_format_is_valid:
 * @format: strptime directives
 * @bad_directive: (out) (optional) (transfer full): the first directive
 *   not understood
 *
 * Returns: %TRUE if every directive of @format is understood
 */
gboolean
gis_date_format_is_valid (const char  *format,
                          char       **bad_directive)
{
  static const char known[] = "YymdeHIMSbBhpzZTF%";

  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%')
        continue;
      p++;
      if (*p == '\0' || strchr (known, *p) == NULL)
        {
          if (bad_directive != NULL)
            *bad_directive = g_strdup_printf ("%%%c", *p ? *p : ' ');
          return FALSE;
        }
    }
  return TRUE;
}
