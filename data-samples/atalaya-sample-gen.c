/* atalaya-sample-gen.c - seeded generator for the sample store inputs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes the input files of the "north-america.sqlite" sample store:
 *
 *   countries.geojson         US, CA, MX copied from Natural Earth (world_map.gpkg)
 *   states_provinces.geojson  their states and provinces, copied likewise
 *   boundary_lines.geojson    US-CA and US-MX land boundary computed with GEOS
 *   ports.geojson             generated ports of entry on those boundaries
 *   facilities.csv            generated regulated facilities
 *   habitat.gpkg              generated habitat polygons clipped to the land
 *   incidents.csv             generated incidents with planted hotspots
 *
 * Everything that is generated comes from a small xoshiro256** generator
 * seeded from --seed, so the same seed and counts give byte-identical
 * files.  --habitat and --facilities change only their own file: each
 * layer draws from its own stream, so a larger count keeps the smaller
 * one's rows as its first rows.  The program never calls setlocale(), so
 * stdio uses the "C" locale and '.' as decimal point.
 */

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

/* The GDAL headers test compiler macros that gcc does not define; keep
 * the project's -Werror=undef away from them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
#include <geos_c.h>

#ifndef ATALAYA_SAMPLE_HOTSPOTS
#define ATALAYA_SAMPLE_HOTSPOTS "planted-hotspots.csv"
#endif

#define PROGRAM_NAME "atalaya-sample-gen"

#define DEG2RAD (G_PI / 180.0)
#define KM_PER_DEG_LAT 110.574
#define KM_PER_DEG_LON 111.320
#define EARTH_RADIUS_KM 6371.0088

#define N_PORTS_CA 85
#define N_PORTS_MX 35
#define PORT_MIN_DIST_KM 15.0
#define DEFAULT_HABITAT 300
#define MAX_HABITAT 100000
#define N_CITIES 180
#define MAX_INCIDENTS G_GINT64_CONSTANT (100000000)
#define MAX_FACILITIES G_GINT64_CONSTANT (10000000)

/* Fixed "now" for the GeoPackage gpkg_contents.last_change column, so that
 * habitat.gpkg is reproducible. */
#define FIXED_GPKG_DATE "2025-12-31T00:00:00.000Z"

/* RNG stream identifiers: every part of the output draws from its own
 * stream, so e.g. the facilities do not change when only --incidents
 * changes (beyond their count). */
enum
{
  STREAM_CITIES = 1,
  STREAM_PORTS,
  STREAM_FACILITIES,
  STREAM_HABITAT,
  STREAM_BACKGROUND,
  STREAM_HOTSPOT_BASE = 100,
};

enum
{
  C_US,
  C_CA,
  C_MX,
  N_COUNTRIES
};

static const char *const country_code[N_COUNTRIES] = { "US", "CA", "MX" };

/* The two land boundaries, both shared with the United States. */
enum
{
  B_CA,
  B_MX,
  N_BORDERS
};

static const int border_other[N_BORDERS] = { C_CA, C_MX };
static const char *const border_pair[N_BORDERS] = { "US-CA", "US-MX" };
static const char *const border_title[N_BORDERS] = {
  "Canada \xe2\x80\x93 United States", /* en dash */
  "Mexico \xe2\x80\x93 United States",
};
static const char *const border_port_label[N_BORDERS] = {
  "US-Canada Border",
  "US-Mexico Border",
};

enum
{
  CAT_HAZARDOUS_WASTE,
  CAT_ODS_SMUGGLING,
  CAT_WILDLIFE_TRAFFICKING,
  CAT_ILLEGAL_DUMPING,
  CAT_ILLEGAL_LOGGING,
  N_CATEGORIES
};

static const char *const category_name[N_CATEGORIES] = {
  "hazardous_waste",
  "ods_smuggling",
  "wildlife_trafficking",
  "illegal_dumping",
  "illegal_logging",
};

/* Generation zones of a background incident, used for its category. */
enum
{
  ZONE_BORDER_CA,
  ZONE_BORDER_MX,
  ZONE_INTERIOR_US,
  ZONE_INTERIOR_CA,
  ZONE_INTERIOR_MX,
  N_ZONES
};

static const double zone_category_weight[N_ZONES][N_CATEGORIES] = {
  /* hw    ods   wild  dump  log */
  { 0.25, 0.15, 0.20, 0.20, 0.20 }, /* US-CA border */
  { 0.25, 0.25, 0.25, 0.20, 0.05 }, /* US-MX border */
  { 0.35, 0.10, 0.10, 0.35, 0.10 }, /* US interior */
  { 0.20, 0.05, 0.15, 0.20, 0.40 }, /* CA interior */
  { 0.25, 0.10, 0.25, 0.25, 0.15 }, /* MX interior */
};

static const double background_severity_weight[5] = { 0.30, 0.30, 0.22, 0.12, 0.06 };
static const double hotspot_severity_weight[5] = { 0.04, 0.08, 0.23, 0.35, 0.30 };

/* Time span of all incidents: 2015-01-01T00:00:00Z .. 2025-12-31T23:59:59Z */
#define SPAN_START_YEAR 2015
#define SPAN_END_YEAR 2025

enum
{
  SECTOR_CHEMICAL,
  SECTOR_TSDF,
  SECTOR_REFINERY,
  SECTOR_MINING,
  SECTOR_REFRIGERANT,
  SECTOR_ELECTROPLATING,
  SECTOR_LANDFILL,
  SECTOR_PULP,
  N_SECTORS
};

static const char *const sector_name[N_SECTORS] = {
  "Chemical manufacturing",
  "Hazardous waste TSDF",
  "Refinery",
  "Mining",
  "Refrigerant importer",
  "Electroplating",
  "Landfill",
  "Pulp and paper",
};

static const double sector_weight[N_SECTORS] = { 18, 10, 5, 12, 8, 14, 18, 8 };
static const double sector_hw_prob[N_SECTORS] = { 0.70, 1.00, 0.60, 0.30, 0.20, 0.80, 0.40, 0.30 };
static const double sector_ods_prob[N_SECTORS] = { 0.15, 0.10, 0.05, 0.02, 1.00, 0.05, 0.05, 0.03 };
static const double sector_base_risk[N_SECTORS] = { 3.0, 3.5, 3.5, 2.5, 2.5, 3.0, 2.5, 2.0 };

static const char *const sector_word_en[N_SECTORS][3] = {
  { "Chemical", "Chemicals", "Specialty Chemicals" },
  { "Environmental Services", "Waste Solutions", "Treatment & Disposal" },
  { "Refining", "Refinery", "Petroleum" },
  { "Mining", "Minerals", "Resources" },
  { "Refrigerants", "Cooling Supply", "Refrigerant Distributors" },
  { "Plating", "Metal Finishing", "Electroplating" },
  { "Landfill", "Disposal", "Sanitary Landfill" },
  { "Paper", "Pulp & Paper", "Paperboard" },
};

static const char *const sector_word_es[N_SECTORS][3] = {
  { "Qu\xc3\xadmica", "Industrias Qu\xc3\xadmicas", "Qu\xc3\xadmica Industrial" },
  { "Residuos Industriales", "Tratamiento de Residuos", "Gesti\xc3\xb3n Ambiental" },
  { "Refiner\xc3\xad" "a", "Refinadora", "Petrol\xc3\xad" "fera" },
  { "Minera", "Miner\xc3\xad" "a", "Minerales" },
  { "Refrigerantes", "Gases Refrigerantes", "Importadora de Refrigerantes" },
  { "Galvanoplastia", "Recubrimientos Met\xc3\xa1licos", "Cromados" },
  { "Relleno Sanitario", "Disposici\xc3\xb3n Final", "Confinamiento" },
  { "Papelera", "Celulosa y Papel", "Cartonera" },
};

enum
{
  DESIG_REFUGE,
  DESIG_BIOSPHERE,
  DESIG_CRITICAL,
  DESIG_FOREST,
  DESIG_WETLAND,
  N_DESIGNATIONS
};

static const char *const designation_name[N_DESIGNATIONS] = {
  "Wildlife refuge",
  "Biosphere reserve",
  "Critical habitat",
  "Protected forest",
  "Wetland",
};

static const char *const designation_title_en[N_DESIGNATIONS] = {
  "Wildlife Refuge",
  "Biosphere Reserve",
  "Critical Habitat",
  "Protected Forest",
  "Wetland",
};

static const char *const designation_title_es[N_DESIGNATIONS] = {
  "Refugio de Vida Silvestre",
  "Reserva de la Biosfera",
  "H\xc3\xa1" "bitat Cr\xc3\xadtico",
  "Bosque Protegido",
  "Humedal",
};

enum
{
  SP_VAQUITA,
  SP_MONARCH,
  SP_JAGUAR,
  SP_GRIZZLY,
  SP_SEA_TURTLE,
  SP_DESERT_TORTOISE,
  SP_CARIBOU,
  SP_OCELOT,
  N_SPECIES
};

static const char *const species_name[N_SPECIES] = {
  "Vaquita",
  "Monarch butterfly",
  "Jaguar",
  "Grizzly bear",
  "Sea turtle",
  "Desert tortoise",
  "Caribou",
  "Ocelot",
};

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

#define GEN_ERROR (gen_error_quark ())

static GQuark
gen_error_quark (void)
{
  return g_quark_from_static_string ("atalaya-sample-gen-error-quark");
}

enum
{
  GEN_ERROR_FAILED
};

/* Keeps error messages on one line. */
static char *
one_line (const char *s)
{
  char *out = g_strdup (s != NULL && *s != '\0' ? s : "unknown error");
  g_strstrip (out);
  for (char *p = out; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  return out;
}

static void gen_fail (GError **error, const char *file, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
gen_fail (GError **error, const char *file, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  char *clean;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  clean = one_line (msg);
  g_set_error (error, GEN_ERROR, GEN_ERROR_FAILED, "%s: %s", file, clean);
  g_free (clean);
  g_free (msg);
}

static const char *
gdal_last_error (void)
{
  const char *msg = CPLGetLastErrorMsg ();
  return (msg != NULL && *msg != '\0') ? msg : "GDAL error";
}

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 seeding, xoshiro256**                    */
/* ------------------------------------------------------------------ */

typedef struct
{
  uint64_t s[4];
} Rng;

static uint64_t
splitmix64 (uint64_t *x)
{
  uint64_t z = (*x += UINT64_C (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static void
rng_seed (Rng *r, uint64_t seed, uint64_t stream)
{
  uint64_t x = seed ^ (stream * UINT64_C (0xD1B54A32D192ED03));
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64 (&x);
}

static inline uint64_t
rotl64 (uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next (Rng *r)
{
  uint64_t *s = r->s;
  const uint64_t result = rotl64 (s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl64 (s[3], 45);
  return result;
}

/* Uniform in [0, 1). */
static inline double
rng_uniform (Rng *r)
{
  return (double) (rng_next (r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n). */
static inline size_t
rng_below (Rng *r, size_t n)
{
  size_t v = (size_t) (rng_uniform (r) * (double) n);
  return v < n ? v : n - 1;
}

static inline double
rng_range (Rng *r, double a, double b)
{
  return a + (b - a) * rng_uniform (r);
}

static double
rng_normal (Rng *r)
{
  double u1 = 1.0 - rng_uniform (r); /* (0, 1] */
  double u2 = rng_uniform (r);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static int
rng_weighted (Rng *r, const double *w, int n)
{
  double total = 0.0;
  double x;

  for (int i = 0; i < n; i++)
    total += w[i];
  x = rng_uniform (r) * total;
  for (int i = 0; i < n; i++)
    {
      if (x < w[i])
        return i;
      x -= w[i];
    }
  return n - 1;
}

#define RNG_PICK(r, array) ((array)[rng_below ((r), G_N_ELEMENTS (array))])

/* ------------------------------------------------------------------ */
/* Dates (proleptic Gregorian, UTC, no time zone involved)             */
/* ------------------------------------------------------------------ */

static gint64
days_from_civil (int y, int m, int d)
{
  gint64 yy = y - (m <= 2);
  gint64 era = (yy >= 0 ? yy : yy - 399) / 400;
  gint64 yoe = yy - era * 400;
  gint64 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64 z, int *y, int *m, int *d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int) (doy - (153 * mp + 2) / 5 + 1);
  *m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *y = (int) (yoe + era * 400 + (*m <= 2));
}

static int
days_in_month (int y, int m)
{
  static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return dm[m - 1];
}

/* Parses a strict "YYYY-MM-DD" into days since 1970-01-01. */
static gboolean
parse_iso_date (const char *s, gint64 *days)
{
  int y, m, d;

  if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  y = atoi (s);
  m = atoi (s + 5);
  d = atoi (s + 8);
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days_in_month (y, m))
    return FALSE;
  *days = days_from_civil (y, m, d);
  return TRUE;
}

static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static void
format_date (gint64 days, char buf[16])
{
  int y, m, d;
  civil_from_days (days, &y, &m, &d);
  g_snprintf (buf, 16, "%04d-%02d-%02d", y, m, d);
}

/* ------------------------------------------------------------------ */
/* Small geometry helpers                                              */
/* ------------------------------------------------------------------ */

static inline void
offset_km (double x, double y, double dx_km, double dy_km, double *ox, double *oy)
{
  double c = cos (y * DEG2RAD);
  if (c < 0.05)
    c = 0.05;
  *oy = y + dy_km / KM_PER_DEG_LAT;
  *ox = x + dx_km / (KM_PER_DEG_LON * c);
}

static double
haversine_km (double x1, double y1, double x2, double y2)
{
  double dlat = (y2 - y1) * DEG2RAD;
  double dlon = (x2 - x1) * DEG2RAD;
  double a = sin (dlat / 2) * sin (dlat / 2) +
             cos (y1 * DEG2RAD) * cos (y2 * DEG2RAD) * sin (dlon / 2) * sin (dlon / 2);
  return 2.0 * EARTH_RADIUS_KM * asin (sqrt (MIN (1.0, a)));
}

/* Gaussian offset in km with the given sigma, truncated at max_km. */
static void
gauss_offset (Rng *r, double sigma_km, double max_km, double *dx, double *dy)
{
  for (;;)
    {
      double a = rng_normal (r) * sigma_km;
      double b = rng_normal (r) * sigma_km;
      if (a * a + b * b <= max_km * max_km)
        {
          *dx = a;
          *dy = b;
          return;
        }
    }
}

/* Rounds a coordinate to 1e-6 degree (what the CSV files hold), so that
 * the point-in-polygon test sees exactly the written coordinate. */
static inline gint32
to_micro (double v)
{
  return (gint32) lround (v * 1e6);
}

static inline double
from_micro (gint32 k)
{
  return (double) k / 1e6;
}

static gboolean
in_box (double x, double y, double x0, double y0, double x1, double y1)
{
  return x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

/* The Natural Earth country polygons include the Great Lakes, so the
 * US-CA boundary runs through them; these boxes cover the open lakes
 * (not the connecting rivers with their bridges). */
static gboolean
in_great_lake (double x, double y)
{
  return in_box (x, y, -91.8, 46.5, -84.8, 48.3) ||  /* Superior */
         in_box (x, y, -83.6, 43.2, -82.5, 46.0) ||  /* Huron */
         in_box (x, y, -83.0, 41.5, -79.2, 42.9) ||  /* Erie */
         in_box (x, y, -79.0, 43.2, -76.4, 43.9);    /* Ontario */
}

static gboolean
in_alaska_boundary (double x, double y)
{
  return x < -127.0 && y > 54.0;
}

/* ------------------------------------------------------------------ */
/* Planted hotspots                                                    */
/* ------------------------------------------------------------------ */

typedef struct
{
  int id;
  char *name;
  double lon, lat;
  double radius_km;
  double share;
  gint64 start_days, end_days;
  gboolean rising;
  int category;
  int straddle_a, straddle_b; /* country indices or -1 */
  gint64 count;
} Hotspot;

static int
country_from_code (const char *s)
{
  for (int c = 0; c < N_COUNTRIES; c++)
    if (strcmp (s, country_code[c]) == 0)
      return c;
  return -1;
}

/* Splits one CSV record (no embedded newlines) with RFC 4180 quoting. */
static GPtrArray *
csv_split (const char *line, gboolean *ok)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  const char *p = line;

  *ok = TRUE;
  for (;;)
    {
      GString *f = g_string_new (NULL);
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  *ok = FALSE;
                  break;
                }
              if (*p == '"')
                {
                  if (p[1] == '"')
                    {
                      g_string_append_c (f, '"');
                      p += 2;
                      continue;
                    }
                  p++;
                  break;
                }
              g_string_append_c (f, *p++);
            }
          if (*ok && *p != ',' && *p != '\0')
            *ok = FALSE;
        }
      else
        {
          while (*p != ',' && *p != '\0')
            g_string_append_c (f, *p++);
        }
      g_ptr_array_add (fields, g_strstrip (g_string_free (f, FALSE)));
      if (!*ok || *p == '\0')
        break;
      p++; /* ',' */
    }
  return fields;
}

static gboolean
parse_double_field (const char *s, double *out)
{
  char *end = NULL;
  double v;

  if (*s == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtod (s, &end);
  if (errno != 0 || end == NULL || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

enum
{
  HC_ID,
  HC_NAME,
  HC_LON,
  HC_LAT,
  HC_RADIUS,
  HC_SHARE,
  HC_START,
  HC_END,
  HC_GROWTH,
  HC_CATEGORY,
  HC_STRADDLES,
  N_HC
};

static const char *const hotspot_columns[N_HC] = {
  "id", "name", "lon", "lat", "radius_km", "share",
  "start", "end", "growth", "category", "straddles",
};

static void
hotspots_free (GArray *hot)
{
  if (hot == NULL)
    return;
  for (guint i = 0; i < hot->len; i++)
    g_free (g_array_index (hot, Hotspot, i).name);
  g_array_free (hot, TRUE);
}

static GArray *
load_hotspots (const char *path, GError **error)
{
  char *contents = NULL;
  gsize length = 0;
  GError *local = NULL;
  char **lines = NULL;
  GArray *hot = NULL;
  int col[N_HC];
  gboolean have_header = FALSE;
  double share_sum = 0.0;

  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      gen_fail (error, path, "cannot read: %s", local->message);
      g_error_free (local);
      return NULL;
    }
  if (memchr (contents, '\0', length) != NULL || !g_utf8_validate (contents, (gssize) length, NULL))
    {
      gen_fail (error, path, "not a UTF-8 text file");
      g_free (contents);
      return NULL;
    }

  hot = g_array_new (FALSE, TRUE, sizeof (Hotspot));
  lines = g_strsplit (contents, "\n", -1);
  g_free (contents);

  for (int ln = 0; lines[ln] != NULL; ln++)
    {
      char *line = lines[ln];
      size_t len = strlen (line);
      GPtrArray *f;
      gboolean ok;
      Hotspot h = { 0 };
      const char *v;

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (len == 0 || line[0] == '#')
        continue;

      f = csv_split (line, &ok);
      if (!ok)
        {
          gen_fail (error, path, "line %d: bad quoting", ln + 1);
          g_ptr_array_unref (f);
          goto fail;
        }

      if (!have_header)
        {
          for (int c = 0; c < N_HC; c++)
            {
              col[c] = -1;
              for (guint k = 0; k < f->len; k++)
                if (g_ascii_strcasecmp (g_ptr_array_index (f, k), hotspot_columns[c]) == 0)
                  col[c] = (int) k;
              if (col[c] < 0)
                {
                  gen_fail (error, path, "line %d: header lacks column '%s'", ln + 1,
                            hotspot_columns[c]);
                  g_ptr_array_unref (f);
                  goto fail;
                }
            }
          have_header = TRUE;
          g_ptr_array_unref (f);
          continue;
        }

#define FIELD(c) ((guint) col[c] < f->len ? (const char *) g_ptr_array_index (f, col[c]) : "")
#define BAD(...)                                                   \
  do                                                               \
    {                                                              \
      char *what_ = g_strdup_printf (__VA_ARGS__);                 \
      gen_fail (error, path, "line %d: %s", ln + 1, what_);        \
      g_free (what_);                                              \
      g_ptr_array_unref (f);                                       \
      goto fail;                                                   \
    }                                                              \
  while (0)

      {
        double idv;
        if (!parse_double_field (FIELD (HC_ID), &idv) || idv != floor (idv) || idv < 0 || idv > 1e9)
          BAD ("bad id '%s'", FIELD (HC_ID));
        h.id = (int) idv;
      }
      if (!parse_double_field (FIELD (HC_LON), &h.lon) || h.lon < -180 || h.lon > 180)
        BAD ("bad lon '%s'", FIELD (HC_LON));
      if (!parse_double_field (FIELD (HC_LAT), &h.lat) || h.lat < -85 || h.lat > 85)
        BAD ("bad lat '%s'", FIELD (HC_LAT));
      if (!parse_double_field (FIELD (HC_RADIUS), &h.radius_km) || h.radius_km <= 0 ||
          h.radius_km > 500)
        BAD ("bad radius_km '%s' (want 0 < r <= 500)", FIELD (HC_RADIUS));
      if (!parse_double_field (FIELD (HC_SHARE), &h.share) || h.share < 0 || h.share > 1)
        BAD ("bad share '%s' (want 0..1)", FIELD (HC_SHARE));
      if (!parse_iso_date (FIELD (HC_START), &h.start_days))
        BAD ("bad start date '%s' (want YYYY-MM-DD)", FIELD (HC_START));
      if (!parse_iso_date (FIELD (HC_END), &h.end_days))
        BAD ("bad end date '%s' (want YYYY-MM-DD)", FIELD (HC_END));
      if (h.end_days < h.start_days)
        BAD ("end date before start date");
      v = FIELD (HC_GROWTH);
      if (strcmp (v, "flat") == 0)
        h.rising = FALSE;
      else if (strcmp (v, "rising") == 0)
        h.rising = TRUE;
      else
        BAD ("bad growth '%s' (want flat or rising)", v);
      h.category = -1;
      for (int c = 0; c < N_CATEGORIES; c++)
        if (strcmp (FIELD (HC_CATEGORY), category_name[c]) == 0)
          h.category = c;
      if (h.category < 0)
        BAD ("unknown category '%s'", FIELD (HC_CATEGORY));
      h.straddle_a = h.straddle_b = -1;
      v = FIELD (HC_STRADDLES);
      if (*v != '\0')
        {
          char a[3] = { 0 }, b[3] = { 0 };
          if (strlen (v) != 5 || v[2] != '-')
            BAD ("bad straddles '%s' (want e.g. US-MX)", v);
          memcpy (a, v, 2);
          memcpy (b, v + 3, 2);
          h.straddle_a = country_from_code (a);
          h.straddle_b = country_from_code (b);
          if (h.straddle_a < 0 || h.straddle_b < 0 || h.straddle_a == h.straddle_b)
            BAD ("bad straddles '%s' (want two of US, CA, MX)", v);
        }
      h.name = g_strdup (FIELD (HC_NAME));
      share_sum += h.share;
      g_array_append_val (hot, h);
      g_ptr_array_unref (f);
#undef BAD
#undef FIELD
    }

  if (!have_header)
    {
      gen_fail (error, path, "empty file");
      goto fail;
    }
  if (share_sum > 0.9 + 1e-9)
    {
      gen_fail (error, path, "shares add up to %.3f (at most 0.9 allowed)", share_sum);
      goto fail;
    }
  g_strfreev (lines);
  return hot;

fail:
  g_strfreev (lines);
  hotspots_free (hot);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The world: country polygons, land index, boundaries, cities         */
/* ------------------------------------------------------------------ */

typedef struct
{
  const GEOSGeometry *geom; /* borrowed from World.country[] */
  const GEOSPreparedGeometry *prep;
  double minx, miny, maxx, maxy;
  int country;
} LandPart;

typedef struct
{
  double ax, ay, bx, by;
  double len_km;
} Segment;

typedef struct
{
  const Segment *seg;
  double *cum; /* weighted cumulative length after each segment */
  size_t n;
  double total;
} LineSampler;

typedef struct
{
  double x, y;
  double weight;
  double spread_km;
  int country;
} City;

#define GRID_NX 360
#define GRID_NY 180

typedef struct
{
  GEOSContextHandle_t ctx;
  char geos_error[512];
  GEOSWKBReader *wkb_reader;
  GEOSWKBWriter *wkb_writer;

  GEOSGeometry *country[N_COUNTRIES];

  LandPart *parts;
  size_t n_parts;
  guint32 *cell_start; /* GRID_NX * GRID_NY + 1 */
  guint32 *cell_items;

  GEOSGeometry *border[N_BORDERS]; /* merged MultiLineStrings */
  Segment *seg[N_BORDERS];
  size_t n_seg[N_BORDERS];
  double border_km[N_BORDERS];
  LineSampler spread[N_BORDERS]; /* incidents, facilities, habitat */
  LineSampler portline[N_BORDERS];

  City cities[N_CITIES];
  double city_cum[N_CITIES];

  GArray *hot; /* Hotspot */
  const char *hotspots_path;
} World;

static void
geos_error_handler (const char *message, void *userdata)
{
  World *w = userdata;
  g_strlcpy (w->geos_error, message != NULL ? message : "GEOS error", sizeof w->geos_error);
}

static void
geos_notice_handler (const char *message, void *userdata)
{
  (void) message;
  (void) userdata;
}

static const char *
geos_last_error (World *w)
{
  return w->geos_error[0] != '\0' ? w->geos_error : "GEOS error";
}

/* Returns the index of the country containing (x, y), or -1. */
static int
world_locate (World *w, double x, double y)
{
  int cx, cy;
  size_t cell;
  GEOSGeometry *pt = NULL;
  int found = -1;

  if (!(x >= -180.0 && x < 180.0 && y >= -90.0 && y < 90.0))
    return -1;
  cx = (int) floor (x + 180.0);
  cy = (int) floor (y + 90.0);
  cell = (size_t) cy * GRID_NX + (size_t) cx;
  for (guint32 k = w->cell_start[cell]; k < w->cell_start[cell + 1]; k++)
    {
      const LandPart *p = &w->parts[w->cell_items[k]];
      if (x < p->minx || x > p->maxx || y < p->miny || y > p->maxy)
        continue;
      if (pt == NULL)
        {
          pt = GEOSGeom_createPointFromXY_r (w->ctx, x, y);
          if (pt == NULL)
            return -1;
        }
      if (GEOSPreparedContains_r (w->ctx, p->prep, pt) == 1)
        {
          found = p->country;
          break;
        }
    }
  if (pt != NULL)
    GEOSGeom_destroy_r (w->ctx, pt);
  return found;
}

static GEOSGeometry *
ogr_to_geos (World *w, OGRGeometryH g)
{
  int size = OGR_G_WkbSize (g);
  unsigned char *buf;
  GEOSGeometry *out = NULL;

  if (size <= 0)
    return NULL;
  buf = g_malloc ((gsize) size);
  if (OGR_G_ExportToWkb (g, wkbNDR, buf) == OGRERR_NONE)
    out = GEOSWKBReader_read_r (w->ctx, w->wkb_reader, buf, (size_t) size);
  g_free (buf);
  return out;
}

static OGRGeometryH
geos_to_ogr (World *w, const GEOSGeometry *g)
{
  size_t size = 0;
  unsigned char *buf = GEOSWKBWriter_write_r (w->ctx, w->wkb_writer, g, &size);
  OGRGeometryH out = NULL;

  if (buf == NULL)
    return NULL;
  if (OGR_G_CreateFromWkb (buf, NULL, &out, (int) size) != OGRERR_NONE)
    out = NULL;
  GEOSFree_r (w->ctx, buf);
  return out;
}

/* Appends clones of all polygons in g to out. */
static void
collect_polygons (World *w, const GEOSGeometry *g, GPtrArray *out)
{
  int type = GEOSGeomTypeId_r (w->ctx, g);

  if (type == GEOS_POLYGON)
    {
      if (!GEOSisEmpty_r (w->ctx, g))
        g_ptr_array_add (out, GEOSGeom_clone_r (w->ctx, g));
    }
  else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION)
    {
      int n = GEOSGetNumGeometries_r (w->ctx, g);
      for (int i = 0; i < n; i++)
        collect_polygons (w, GEOSGetGeometryN_r (w->ctx, g, i), out);
    }
}

/* Appends clones of all non-degenerate linestrings in g to out. */
static void
collect_lines (World *w, const GEOSGeometry *g, GPtrArray *out)
{
  int type = GEOSGeomTypeId_r (w->ctx, g);

  if (type == GEOS_LINESTRING)
    {
      double len = 0.0;
      if (!GEOSisEmpty_r (w->ctx, g) && GEOSGetNumCoordinates_r (w->ctx, g) >= 2 &&
          GEOSLength_r (w->ctx, g, &len) == 1 && len > 0.0)
        g_ptr_array_add (out, GEOSGeom_clone_r (w->ctx, g));
    }
  else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION)
    {
      int n = GEOSGetNumGeometries_r (w->ctx, g);
      for (int i = 0; i < n; i++)
        collect_lines (w, GEOSGetGeometryN_r (w->ctx, g, i), out);
    }
}

/* Builds a Multi* from the geometries in arr (takes them over). */
static GEOSGeometry *
make_multi (World *w, int type, GPtrArray *arr)
{
  GEOSGeometry *out;

  out = GEOSGeom_createCollection_r (w->ctx, type, (GEOSGeometry **) arr->pdata, arr->len);
  if (out != NULL)
    g_ptr_array_set_size (arr, 0); /* now owned by out */
  return out;
}

static void
destroy_geoms (World *w, GPtrArray *arr)
{
  for (guint i = 0; i < arr->len; i++)
    GEOSGeom_destroy_r (w->ctx, g_ptr_array_index (arr, i));
  g_ptr_array_set_size (arr, 0);
}

/* Makes g a valid MultiPolygon (consumes g); NULL if nothing is left. */
static GEOSGeometry *
to_valid_multipolygon (World *w, GEOSGeometry *g)
{
  GPtrArray *polys;
  GEOSGeometry *out = NULL;

  if (g == NULL)
    return NULL;
  if (GEOSisValid_r (w->ctx, g) != 1)
    {
      GEOSGeometry *v = GEOSMakeValid_r (w->ctx, g);
      GEOSGeom_destroy_r (w->ctx, g);
      g = v;
      if (g == NULL)
        return NULL;
    }
  polys = g_ptr_array_new ();
  collect_polygons (w, g, polys);
  GEOSGeom_destroy_r (w->ctx, g);
  if (polys->len > 0)
    out = make_multi (w, GEOS_MULTIPOLYGON, polys);
  destroy_geoms (w, polys);
  g_ptr_array_free (polys, TRUE);
  if (out != NULL && (GEOSisEmpty_r (w->ctx, out) || GEOSisValid_r (w->ctx, out) != 1))
    {
      GEOSGeom_destroy_r (w->ctx, out);
      out = NULL;
    }
  return out;
}

static gboolean
build_land_index (World *w, GError **error)
{
  size_t total = 0, k = 0;
  guint32 *count;
  size_t n_items = 0;

  for (int c = 0; c < N_COUNTRIES; c++)
    total += (size_t) GEOSGetNumGeometries_r (w->ctx, w->country[c]);
  w->parts = g_new0 (LandPart, total);

  for (int c = 0; c < N_COUNTRIES; c++)
    {
      int n = GEOSGetNumGeometries_r (w->ctx, w->country[c]);
      for (int i = 0; i < n; i++)
        {
          const GEOSGeometry *g = GEOSGetGeometryN_r (w->ctx, w->country[c], i);
          LandPart *p = &w->parts[k];
          if (g == NULL || GEOSisEmpty_r (w->ctx, g))
            continue;
          if (GEOSGeom_getXMin_r (w->ctx, g, &p->minx) != 1 ||
              GEOSGeom_getYMin_r (w->ctx, g, &p->miny) != 1 ||
              GEOSGeom_getXMax_r (w->ctx, g, &p->maxx) != 1 ||
              GEOSGeom_getYMax_r (w->ctx, g, &p->maxy) != 1)
            {
              gen_fail (error, "GEOS", "cannot get envelope: %s", geos_last_error (w));
              return FALSE;
            }
          p->prep = GEOSPrepare_r (w->ctx, g);
          if (p->prep == NULL)
            {
              gen_fail (error, "GEOS", "cannot prepare geometry: %s", geos_last_error (w));
              return FALSE;
            }
          p->geom = g;
          p->country = c;
          k++;
          w->n_parts = k;
        }
    }

  /* Grid of 1-degree cells listing the parts whose envelope touches them. */
  count = g_new0 (guint32, GRID_NX * GRID_NY + 1);
  for (int pass = 0; pass < 2; pass++)
    {
      for (size_t i = 0; i < w->n_parts; i++)
        {
          const LandPart *p = &w->parts[i];
          int x0 = CLAMP ((int) floor (p->minx + 180.0), 0, GRID_NX - 1);
          int x1 = CLAMP ((int) floor (p->maxx + 180.0), 0, GRID_NX - 1);
          int y0 = CLAMP ((int) floor (p->miny + 90.0), 0, GRID_NY - 1);
          int y1 = CLAMP ((int) floor (p->maxy + 90.0), 0, GRID_NY - 1);
          for (int cy = y0; cy <= y1; cy++)
            for (int cx = x0; cx <= x1; cx++)
              {
                size_t cell = (size_t) cy * GRID_NX + (size_t) cx;
                if (pass == 0)
                  {
                    count[cell]++;
                    n_items++;
                  }
                else
                  w->cell_items[count[cell]++] = (guint32) i;
              }
        }
      if (pass == 0)
        {
          guint32 acc = 0;
          w->cell_start = g_new (guint32, GRID_NX * GRID_NY + 1);
          for (size_t cell = 0; cell < GRID_NX * GRID_NY; cell++)
            {
              w->cell_start[cell] = acc;
              acc += count[cell];
              count[cell] = w->cell_start[cell];
            }
          w->cell_start[GRID_NX * GRID_NY] = acc;
          w->cell_items = g_new (guint32, n_items > 0 ? n_items : 1);
        }
    }
  g_free (count);
  return TRUE;
}

typedef double (*SegWeightFunc) (int border, double x, double y);

static double
spread_weight (int border, double x, double y)
{
  if (border == B_CA)
    {
      if (in_alaska_boundary (x, y))
        return 0.2;
      if (in_great_lake (x, y))
        return 0.35;
    }
  return 1.0;
}

static double
port_weight (int border, double x, double y)
{
  if (border == B_CA)
    {
      if (in_alaska_boundary (x, y))
        return 0.15;
      if (in_great_lake (x, y))
        return 0.02;
    }
  return 1.0;
}

static void
sampler_init (LineSampler *ls, const Segment *seg, size_t n, int border, SegWeightFunc wf)
{
  double acc = 0.0;

  ls->seg = seg;
  ls->n = n;
  ls->cum = g_new (double, n > 0 ? n : 1);
  for (size_t i = 0; i < n; i++)
    {
      double mx = 0.5 * (seg[i].ax + seg[i].bx);
      double my = 0.5 * (seg[i].ay + seg[i].by);
      acc += seg[i].len_km * wf (border, mx, my);
      ls->cum[i] = acc;
    }
  ls->total = acc;
}

/* Point at weighted arc length s (0 <= s < total). */
static void
sampler_at (const LineSampler *ls, double s, double *x, double *y, size_t *seg_index)
{
  size_t lo = 0, hi = ls->n - 1;
  double prev, wseg, f;
  const Segment *sg;

  if (s < 0)
    s = 0;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (ls->cum[mid] > s)
        hi = mid;
      else
        lo = mid + 1;
    }
  prev = lo > 0 ? ls->cum[lo - 1] : 0.0;
  wseg = ls->cum[lo] - prev;
  f = wseg > 0 ? (s - prev) / wseg : 0.0;
  f = CLAMP (f, 0.0, 1.0);
  sg = &ls->seg[lo];
  *x = sg->ax + f * (sg->bx - sg->ax);
  *y = sg->ay + f * (sg->by - sg->ay);
  if (seg_index != NULL)
    *seg_index = lo;
}

static gboolean
compute_border (World *w, int b, GError **error)
{
  int other = border_other[b];
  GEOSGeometry *bu = NULL, *bo = NULL, *inter = NULL, *ml = NULL, *merged = NULL;
  GPtrArray *lines = g_ptr_array_new ();
  gboolean ok = FALSE;
  GArray *segs;
  double total_km = 0.0;

  bu = GEOSBoundary_r (w->ctx, w->country[C_US]);
  bo = GEOSBoundary_r (w->ctx, w->country[other]);
  if (bu == NULL || bo == NULL)
    {
      gen_fail (error, "GEOS", "boundary failed: %s", geos_last_error (w));
      goto out;
    }
  inter = GEOSIntersection_r (w->ctx, bu, bo);
  if (inter == NULL)
    {
      gen_fail (error, "GEOS", "boundary intersection US/%s failed: %s",
                country_code[other], geos_last_error (w));
      goto out;
    }
  collect_lines (w, inter, lines);
  if (lines->len == 0)
    {
      gen_fail (error, "world_map", "US and %s share no boundary line", country_code[other]);
      goto out;
    }
  ml = make_multi (w, GEOS_MULTILINESTRING, lines);
  if (ml == NULL)
    {
      gen_fail (error, "GEOS", "cannot build MultiLineString: %s", geos_last_error (w));
      goto out;
    }
  merged = GEOSLineMerge_r (w->ctx, ml);
  if (merged == NULL)
    {
      gen_fail (error, "GEOS", "line merge failed: %s", geos_last_error (w));
      goto out;
    }
  /* Normalise to a MultiLineString of non-degenerate lines. */
  collect_lines (w, merged, lines);
  GEOSGeom_destroy_r (w->ctx, merged);
  merged = NULL;
  if (lines->len == 0)
    {
      gen_fail (error, "world_map", "US and %s share no boundary line", country_code[other]);
      goto out;
    }
  w->border[b] = make_multi (w, GEOS_MULTILINESTRING, lines);
  if (w->border[b] == NULL)
    {
      gen_fail (error, "GEOS", "cannot build MultiLineString: %s", geos_last_error (w));
      goto out;
    }

  segs = g_array_new (FALSE, FALSE, sizeof (Segment));
  for (int i = 0; i < GEOSGetNumGeometries_r (w->ctx, w->border[b]); i++)
    {
      const GEOSGeometry *line = GEOSGetGeometryN_r (w->ctx, w->border[b], i);
      const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r (w->ctx, line);
      unsigned int n = 0;
      double px = 0, py = 0;

      if (cs == NULL || GEOSCoordSeq_getSize_r (w->ctx, cs, &n) != 1)
        continue;
      for (unsigned int j = 0; j < n; j++)
        {
          double x, y;
          if (GEOSCoordSeq_getXY_r (w->ctx, cs, j, &x, &y) != 1)
            break;
          if (j > 0)
            {
              Segment s = { px, py, x, y, 0.0 };
              double dx = (x - px) * KM_PER_DEG_LON * cos (0.5 * (y + py) * DEG2RAD);
              double dy = (y - py) * KM_PER_DEG_LAT;
              s.len_km = sqrt (dx * dx + dy * dy);
              if (s.len_km > 0)
                {
                  g_array_append_val (segs, s);
                  total_km += s.len_km;
                }
            }
          px = x;
          py = y;
        }
    }
  w->n_seg[b] = segs->len;
  w->seg[b] = (Segment *) (void *) g_array_free (segs, FALSE);
  w->border_km[b] = total_km;
  if (w->n_seg[b] == 0)
    {
      gen_fail (error, "world_map", "US-%s boundary has no segments", country_code[other]);
      goto out;
    }
  sampler_init (&w->spread[b], w->seg[b], w->n_seg[b], b, spread_weight);
  sampler_init (&w->portline[b], w->seg[b], w->n_seg[b], b, port_weight);
  ok = TRUE;

out:
  destroy_geoms (w, lines);
  g_ptr_array_free (lines, TRUE);
  if (ml != NULL)
    GEOSGeom_destroy_r (w->ctx, ml);
  if (inter != NULL)
    GEOSGeom_destroy_r (w->ctx, inter);
  if (bu != NULL)
    GEOSGeom_destroy_r (w->ctx, bu);
  if (bo != NULL)
    GEOSGeom_destroy_r (w->ctx, bo);
  return ok;
}

/* Point on land within max_km of the boundary b (weighted by the spread
 * sampler), at a half-normal distance with the given sigma. */
static int
sample_near_border (World *w, Rng *r, int b, double sigma_km, double max_km, double *ox, double *oy)
{
  for (int attempt = 0; attempt < 100000; attempt++)
    {
      double ax, ay, x, y, d, ang;
      int c;

      sampler_at (&w->spread[b], rng_uniform (r) * w->spread[b].total, &ax, &ay, NULL);
      do
        d = fabs (rng_normal (r)) * sigma_km;
      while (d > max_km);
      ang = rng_uniform (r) * 2.0 * G_PI;
      offset_km (ax, ay, d * cos (ang), d * sin (ang), &x, &y);
      x = from_micro (to_micro (x));
      y = from_micro (to_micro (y));
      c = world_locate (w, x, y);
      if (c >= 0)
        {
          *ox = x;
          *oy = y;
          return c;
        }
    }
  return -1;
}

/* Uniform point on land (area-uniform on the sphere), thinned in the
 * north: kept with probability arctic_keep above 60 N. */
static int
sample_uniform_land (World *w, Rng *r, double arctic_keep, double *ox, double *oy)
{
  static const double lat0 = 14.0, lat1 = 84.0;
  const double s0 = sin (lat0 * DEG2RAD), s1 = sin (lat1 * DEG2RAD);

  for (int attempt = 0; attempt < 1000000; attempt++)
    {
      double x = rng_range (r, -168.0, -52.0);
      double y = asin (rng_range (r, s0, s1)) / DEG2RAD;
      double keep = 1.0;
      int c;

      if (y > 60.0)
        keep = arctic_keep;
      else if (y > 50.0)
        keep = 1.0 - (1.0 - arctic_keep) * (y - 50.0) / 10.0;
      if (keep < 1.0 && rng_uniform (r) >= keep)
        continue;
      x = from_micro (to_micro (x));
      y = from_micro (to_micro (y));
      c = world_locate (w, x, y);
      if (c >= 0)
        {
          *ox = x;
          *oy = y;
          return c;
        }
    }
  return -1;
}

static gboolean
make_cities (World *w, uint64_t seed, GError **error)
{
  Rng r;
  double acc = 0.0;

  rng_seed (&r, seed, STREAM_CITIES);
  for (int i = 0; i < N_CITIES; i++)
    {
      City *ct = &w->cities[i];
      int c;

      for (;;)
        {
          if (rng_uniform (&r) < 0.35)
            c = sample_near_border (w, &r, rng_uniform (&r) < 0.55 ? B_MX : B_CA, 60.0, 150.0,
                                    &ct->x, &ct->y);
          else
            c = sample_uniform_land (w, &r, 0.03, &ct->x, &ct->y);
          if (c < 0)
            {
              gen_fail (error, "world_map", "cannot find land for the city centres");
              return FALSE;
            }
          /* favour the south */
          if (ct->y > 50.0 && rng_uniform (&r) > 0.35)
            continue;
          break;
        }
      ct->country = c;
      ct->weight = exp (rng_normal (&r) * 0.9);
      if (ct->y < 33.0)
        ct->weight *= 1.6;
      else if (ct->y > 55.0)
        ct->weight *= 0.3;
      ct->spread_km = rng_range (&r, 25.0, 120.0);
      acc += ct->weight;
      w->city_cum[i] = acc;
    }
  return TRUE;
}

static const City *
pick_city (World *w, Rng *r)
{
  double s = rng_uniform (r) * w->city_cum[N_CITIES - 1];
  int lo = 0, hi = N_CITIES - 1;
  while (lo < hi)
    {
      int mid = (lo + hi) / 2;
      if (w->city_cum[mid] > s)
        hi = mid;
      else
        lo = mid + 1;
    }
  return &w->cities[lo];
}

/* Point on land around a city (Gaussian, sigma = factor * spread). */
static int
sample_near_city (World *w, Rng *r, double factor, double *ox, double *oy)
{
  for (;;)
    {
      const City *ct = pick_city (w, r);
      double sigma = ct->spread_km * factor;
      for (int attempt = 0; attempt < 30; attempt++)
        {
          double dx, dy, x, y;
          int c;
          gauss_offset (r, sigma, 3.0 * sigma, &dx, &dy);
          offset_km (ct->x, ct->y, dx, dy, &x, &y);
          x = from_micro (to_micro (x));
          y = from_micro (to_micro (y));
          c = world_locate (w, x, y);
          if (c >= 0)
            {
              *ox = x;
              *oy = y;
              return c;
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static const char *const en_onset[] = {
  "B", "C", "D", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "V", "W",
  "Br", "Cl", "Gr", "St", "Th", "Sh", "Tr", "Wh", "Al", "El", "Ash", "Har", "Cor",
  "Pem", "Lin", "Mar", "Fair", "Glen", "Red", "Elk",
};
static const char *const en_vowel[] = { "a", "e", "i", "o", "u", "ea", "ou", "ai", "ar", "el", "in", "or", "an", "on" };
static const char *const en_cons[] = { "l", "n", "r", "s", "d", "m", "v", "th", "nd", "st" };
static const char *const en_simple_vowel[] = { "a", "e", "i", "o" };
static const char *const en_end[] = {
  "ton", "ville", "ford", "field", "burg", "wood", "dale", "mont", "ridge", "brook",
  "by", "ham", "well", "stead", "port", "crest", "ley", "view",
};
static const char *const es_syl[] = {
  "ca", "la", "ma", "sa", "ta", "lo", "ri", "ne", "do", "va", "chi", "xo", "que", "tla",
  "mi", "pe", "ro", "so", "gua", "te", "co", "na", "ba", "ji", "zo", "hua", "pa", "le",
};
static const char *const es_end[] = { "", "", "s", "n", "l", "co", "pan", "tl\xc3\xa1n", "ro", "\xc3\xb1" "a", "to" };
static const char *const es_prefix[] = {
  "San ", "Santa ", "El ", "La ", "Villa ", "Puerto ", "Agua ", "Ojo de ", "", "", "", "", "",
};
static const char *const fr_prefix[] = { "Saint-", "Sainte-", "Lac-", "Mont-", "Notre-Dame-de-", "" };
static const char *const fr_end[] = { "ville", "court", "mont", "val", "bourg", "ac", "ier", "ette" };

static void
append_capitalised (GString *s, const char *part)
{
  gsize at = s->len;
  g_string_append (s, part);
  if (at < s->len)
    s->str[at] = g_ascii_toupper (s->str[at]);
}

static void
name_en (Rng *r, GString *s)
{
  g_string_append (s, RNG_PICK (r, en_onset));
  g_string_append (s, RNG_PICK (r, en_vowel));
  if (rng_uniform (r) < 0.35)
    {
      g_string_append (s, RNG_PICK (r, en_cons));
      g_string_append (s, RNG_PICK (r, en_simple_vowel));
    }
  g_string_append (s, RNG_PICK (r, en_end));
}

static void
name_es (Rng *r, GString *s)
{
  int n = 2 + (int) rng_below (r, 2);
  GString *word = g_string_new (NULL);

  for (int i = 0; i < n; i++)
    g_string_append (word, RNG_PICK (r, es_syl));
  g_string_append (word, RNG_PICK (r, es_end));
  g_string_append (s, RNG_PICK (r, es_prefix));
  append_capitalised (s, word->str);
  g_string_free (word, TRUE);
}

static void
name_fr (Rng *r, GString *s)
{
  GString *word = g_string_new (NULL);

  g_string_append (word, RNG_PICK (r, es_syl));
  g_string_append (word, RNG_PICK (r, en_cons));
  g_string_append (word, RNG_PICK (r, fr_end));
  g_string_append (s, RNG_PICK (r, fr_prefix));
  append_capitalised (s, word->str);
  g_string_free (word, TRUE);
}

/* A place name in the style of the region around (x, y). */
static void
place_name (Rng *r, int country, double x, double y, GString *s)
{
  double u = rng_uniform (r);

  if (country == C_MX || (country == C_US && y < 37.5 && x < -94.0 && u < 0.5))
    name_es (r, s);
  else if (country == C_CA && x > -80.0 && y < 52.0 && u < 0.45)
    name_fr (r, s);
  else
    name_en (r, s);
}

/* ------------------------------------------------------------------ */
/* OGR output                                                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  char *path;
  const char *file; /* base name, for messages */
  GDALDatasetH ds;
  OGRLayerH layer;
  gboolean in_transaction;
} OutLayer;

static gboolean
remove_existing (const char *path, const char *file, GError **error)
{
  if (g_remove (path) != 0 && errno != ENOENT)
    {
      gen_fail (error, file, "cannot replace existing file: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static OGRSpatialReferenceH
make_wgs84 (GError **error)
{
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);

  if (srs == NULL || OSRImportFromEPSG (srs, 4326) != OGRERR_NONE)
    {
      gen_fail (error, "EPSG:4326", "cannot create spatial reference: %s", gdal_last_error ());
      if (srs != NULL)
        OSRDestroySpatialReference (srs);
      return NULL;
    }
  OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

static gboolean
out_open (OutLayer *o, const char *dir, const char *file, const char *driver,
          const char *layer_name, OGRwkbGeometryType gtype, OGRSpatialReferenceH srs,
          GError **error)
{
  GDALDriverH drv;

  memset (o, 0, sizeof *o);
  o->file = file;
  o->path = g_build_filename (dir, file, NULL);
  if (!remove_existing (o->path, file, error))
    return FALSE;
  drv = GDALGetDriverByName (driver);
  if (drv == NULL)
    {
      gen_fail (error, file, "GDAL has no %s driver", driver);
      return FALSE;
    }
  CPLErrorReset ();
  o->ds = GDALCreate (drv, o->path, 0, 0, 0, GDT_Unknown, NULL);
  if (o->ds == NULL)
    {
      gen_fail (error, file, "cannot create: %s", gdal_last_error ());
      return FALSE;
    }
  o->layer = GDALDatasetCreateLayer (o->ds, layer_name, srs, gtype, NULL);
  if (o->layer == NULL)
    {
      gen_fail (error, file, "cannot create layer %s: %s", layer_name, gdal_last_error ());
      return FALSE;
    }
  return TRUE;
}

static gboolean
out_field (OutLayer *o, const char *name, OGRFieldType type, int width, GError **error)
{
  OGRFieldDefnH fd = OGR_Fld_Create (name, type);
  OGRErr err;

  if (width > 0)
    OGR_Fld_SetWidth (fd, width);
  err = OGR_L_CreateField (o->layer, fd, TRUE);
  OGR_Fld_Destroy (fd);
  if (err != OGRERR_NONE)
    {
      gen_fail (error, o->file, "cannot create field %s: %s", name, gdal_last_error ());
      return FALSE;
    }
  return TRUE;
}

static gboolean
out_begin (OutLayer *o, GError **error)
{
  if (GDALDatasetStartTransaction (o->ds, FALSE) != OGRERR_NONE)
    {
      gen_fail (error, o->file, "cannot start transaction: %s", gdal_last_error ());
      return FALSE;
    }
  o->in_transaction = TRUE;
  return TRUE;
}

/* Writes f (and destroys it). */
static gboolean
out_write (OutLayer *o, OGRFeatureH f, GError **error)
{
  OGRErr err = OGR_L_CreateFeature (o->layer, f);
  OGR_F_Destroy (f);
  if (err != OGRERR_NONE)
    {
      gen_fail (error, o->file, "cannot write feature: %s", gdal_last_error ());
      return FALSE;
    }
  return TRUE;
}

/* Closes the data set; with ok == FALSE just releases everything. */
static gboolean
out_close (OutLayer *o, gboolean ok, GError **error)
{
  gboolean ret = ok;

  if (o->ds != NULL)
    {
      if (o->in_transaction)
        {
          if (ok)
            {
              if (GDALDatasetCommitTransaction (o->ds) != OGRERR_NONE)
                {
                  gen_fail (error, o->file, "cannot commit: %s", gdal_last_error ());
                  ret = FALSE;
                }
            }
          else
            GDALDatasetRollbackTransaction (o->ds);
        }
      CPLErrorReset ();
      GDALClose (o->ds);
      if (ret && CPLGetLastErrorType () >= CE_Failure)
        {
          gen_fail (error, o->file, "error while closing: %s", gdal_last_error ());
          ret = FALSE;
        }
    }
  g_free (o->path);
  memset (o, 0, sizeof *o);
  return ret;
}

static void
set_string_or_null (OGRFeatureH f, int idx, const char *v)
{
  if (v != NULL)
    OGR_F_SetFieldString (f, idx, v);
  else
    OGR_F_SetFieldNull (f, idx);
}

/* ------------------------------------------------------------------ */
/* Copied Natural Earth layers                                         */
/* ------------------------------------------------------------------ */

typedef struct
{
  int states[N_COUNTRIES];
  int ports[N_BORDERS];
  int facilities;
  int habitat;
  gint64 incidents;
  gint64 hotspot_incidents;
} Summary;

static OGRLayerH
source_layer (GDALDatasetH src, const char *src_path, const char *name, const char *const *fields,
              int n_fields, int *idx, GError **error)
{
  OGRLayerH l = GDALDatasetGetLayerByName (src, name);
  OGRFeatureDefnH defn;

  if (l == NULL)
    {
      gen_fail (error, src_path, "no layer '%s'", name);
      return NULL;
    }
  defn = OGR_L_GetLayerDefn (l);
  for (int i = 0; i < n_fields; i++)
    {
      idx[i] = OGR_FD_GetFieldIndex (defn, fields[i]);
      if (idx[i] < 0)
        {
          gen_fail (error, src_path, "layer '%s' has no field '%s'", name, fields[i]);
          return NULL;
        }
    }
  return l;
}

/* Clone of the polygonal geometry of f as a 2D MultiPolygon, or NULL. */
static OGRGeometryH
feature_multipolygon (OGRFeatureH f)
{
  OGRGeometryH g = OGR_F_GetGeometryRef (f);
  OGRwkbGeometryType t;

  if (g == NULL || OGR_G_IsEmpty (g))
    return NULL;
  t = wkbFlatten (OGR_G_GetGeometryType (g));
  if (t != wkbPolygon && t != wkbMultiPolygon)
    return NULL;
  g = OGR_G_Clone (g);
  OGR_G_FlattenTo2D (g);
  return OGR_G_ForceToMultiPolygon (g);
}

static gboolean
write_countries (World *w, GDALDatasetH src, const char *src_path, const char *dir,
                 OGRSpatialReferenceH srs, GError **error)
{
  static const char *const fields[] = { "iso_a2", "NAME", "FIPS_10_" };
  int idx[3];
  OGRLayerH l = source_layer (src, src_path, "countries", fields, 3, idx, error);
  OutLayer o;
  gboolean ok = FALSE;

  if (l == NULL)
    return FALSE;
  if (!out_open (&o, dir, "countries.geojson", "GeoJSON", "countries", wkbMultiPolygon, srs, error) ||
      !out_field (&o, "name", OFTString, 0, error) ||
      !out_field (&o, "country", OFTString, 2, error) ||
      !out_field (&o, "fips", OFTString, 0, error))
    goto out;

  for (int c = 0; c < N_COUNTRIES; c++)
    {
      char *filter = g_strdup_printf ("iso_a2 = '%s'", country_code[c]);
      OGRFeatureH sf;
      OGRFeatureH f;
      OGRGeometryH g;
      OGRErr ferr = OGR_L_SetAttributeFilter (l, filter);

      g_free (filter);
      if (ferr != OGRERR_NONE)
        {
          gen_fail (error, src_path, "cannot filter layer countries: %s", gdal_last_error ());
          goto out;
        }
      OGR_L_ResetReading (l);
      sf = OGR_L_GetNextFeature (l);
      if (sf == NULL)
        {
          gen_fail (error, src_path, "layer countries has no feature with iso_a2 = '%s'",
                    country_code[c]);
          goto out;
        }
      g = feature_multipolygon (sf);
      if (g == NULL)
        {
          gen_fail (error, src_path, "country %s has no polygon geometry", country_code[c]);
          OGR_F_Destroy (sf);
          goto out;
        }
      w->country[c] = to_valid_multipolygon (w, ogr_to_geos (w, g));
      if (w->country[c] == NULL)
        {
          gen_fail (error, src_path, "country %s: unusable geometry: %s", country_code[c],
                    geos_last_error (w));
          OGR_G_DestroyGeometry (g);
          OGR_F_Destroy (sf);
          goto out;
        }
      f = OGR_F_Create (OGR_L_GetLayerDefn (o.layer));
      set_string_or_null (f, 0, OGR_F_IsFieldSetAndNotNull (sf, idx[1]) ? OGR_F_GetFieldAsString (sf, idx[1]) : NULL);
      OGR_F_SetFieldString (f, 1, country_code[c]);
      set_string_or_null (f, 2, OGR_F_IsFieldSetAndNotNull (sf, idx[2]) ? OGR_F_GetFieldAsString (sf, idx[2]) : NULL);
      OGR_F_SetGeometryDirectly (f, g);
      OGR_F_Destroy (sf);
      if (!out_write (&o, f, error))
        goto out;
    }
  ok = TRUE;

out:
  OGR_L_SetAttributeFilter (l, NULL);
  return out_close (&o, ok, ok ? error : NULL) && ok;
}

static gboolean
write_states (World *w, GDALDatasetH src, const char *src_path, const char *dir,
              OGRSpatialReferenceH srs, Summary *sum, GError **error)
{
  static const char *const fields[] = { "iso_a2", "name", "fips" };
  int idx[3];
  OGRLayerH l = source_layer (src, src_path, "states_provinces", fields, 3, idx, error);
  OutLayer o;
  gboolean ok = FALSE;

  (void) w;
  if (l == NULL)
    return FALSE;
  if (!out_open (&o, dir, "states_provinces.geojson", "GeoJSON", "states_provinces",
                 wkbMultiPolygon, srs, error) ||
      !out_field (&o, "name", OFTString, 0, error) ||
      !out_field (&o, "country", OFTString, 2, error) ||
      !out_field (&o, "fips", OFTString, 0, error))
    goto out;

  for (int c = 0; c < N_COUNTRIES; c++)
    {
      char *filter = g_strdup_printf ("iso_a2 = '%s'", country_code[c]);
      OGRFeatureH sf;
      OGRErr ferr = OGR_L_SetAttributeFilter (l, filter);

      g_free (filter);
      if (ferr != OGRERR_NONE)
        {
          gen_fail (error, src_path, "cannot filter layer states_provinces: %s", gdal_last_error ());
          goto out;
        }
      OGR_L_ResetReading (l);
      while ((sf = OGR_L_GetNextFeature (l)) != NULL)
        {
          OGRGeometryH g = feature_multipolygon (sf);
          OGRFeatureH f;

          if (g == NULL)
            {
              OGR_F_Destroy (sf);
              continue;
            }
          f = OGR_F_Create (OGR_L_GetLayerDefn (o.layer));
          set_string_or_null (f, 0, OGR_F_IsFieldSetAndNotNull (sf, idx[1]) ? OGR_F_GetFieldAsString (sf, idx[1]) : NULL);
          OGR_F_SetFieldString (f, 1, country_code[c]);
          set_string_or_null (f, 2, OGR_F_IsFieldSetAndNotNull (sf, idx[2]) ? OGR_F_GetFieldAsString (sf, idx[2]) : NULL);
          OGR_F_SetGeometryDirectly (f, g);
          OGR_F_Destroy (sf);
          if (!out_write (&o, f, error))
            goto out;
          sum->states[c]++;
        }
      if (sum->states[c] == 0)
        {
          gen_fail (error, src_path, "layer states_provinces has no feature with iso_a2 = '%s'",
                    country_code[c]);
          goto out;
        }
    }
  ok = TRUE;

out:
  OGR_L_SetAttributeFilter (l, NULL);
  return out_close (&o, ok, ok ? error : NULL) && ok;
}

static gboolean
write_boundaries (World *w, const char *dir, OGRSpatialReferenceH srs, GError **error)
{
  OutLayer o;
  gboolean ok = FALSE;

  if (!out_open (&o, dir, "boundary_lines.geojson", "GeoJSON", "boundary_lines",
                 wkbMultiLineString, srs, error) ||
      !out_field (&o, "name", OFTString, 0, error) ||
      !out_field (&o, "country_pair", OFTString, 5, error) ||
      !out_field (&o, "adm0_left", OFTString, 2, error) ||
      !out_field (&o, "adm0_right", OFTString, 2, error))
    goto out;

  for (int b = 0; b < N_BORDERS; b++)
    {
      OGRFeatureH f = OGR_F_Create (OGR_L_GetLayerDefn (o.layer));
      OGRGeometryH g = geos_to_ogr (w, w->border[b]);

      if (g == NULL)
        {
          gen_fail (error, "boundary_lines.geojson", "cannot convert geometry");
          OGR_F_Destroy (f);
          goto out;
        }
      OGR_F_SetFieldString (f, 0, border_title[b]);
      OGR_F_SetFieldString (f, 1, border_pair[b]);
      OGR_F_SetFieldString (f, 2, country_code[C_US]);
      OGR_F_SetFieldString (f, 3, country_code[border_other[b]]);
      OGR_F_SetGeometryDirectly (f, g);
      if (!out_write (&o, f, error))
        goto out;
    }
  ok = TRUE;

out:
  return out_close (&o, ok, ok ? error : NULL) && ok;
}

/* ------------------------------------------------------------------ */
/* Ports of entry                                                      */
/* ------------------------------------------------------------------ */

typedef struct
{
  double x, y;
  int border;
} Port;

/* Two-digit customs district by position along the boundary. */
static int
port_district (int border, double x)
{
  if (border == B_CA)
    {
      if (x < -127.0)
        return 31; /* Alaska */
      if (x < -117.0)
        return 30; /* Seattle */
      if (x < -104.0)
        return 33; /* Great Falls */
      if (x < -95.0)
        return 34; /* Pembina */
      if (x < -84.5)
        return 36; /* Duluth */
      if (x < -80.0)
        return 38; /* Detroit */
      if (x < -76.0)
        return 9; /* Buffalo */
      if (x < -73.4)
        return 7; /* Ogdensburg */
      if (x < -71.0)
        return 2; /* St. Albans */
      return 1;   /* Portland, Maine */
    }
  if (x < -114.7)
    return 25; /* San Diego */
  if (x < -109.0)
    return 26; /* Nogales */
  if (x < -103.0)
    return 24; /* El Paso */
  return 23;   /* Laredo */
}

static const char *const port_suffix[] = { " East", " West", " Crossing", " Bridge" };

static gboolean
write_ports (World *w, uint64_t seed, const char *dir, OGRSpatialReferenceH srs, Summary *sum,
             GError **error)
{
  static const int target[N_BORDERS] = { N_PORTS_CA, N_PORTS_MX };
  Rng r;
  GArray *ports = g_array_new (FALSE, FALSE, sizeof (Port));
  int district_seq[100] = { 0 };
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  OutLayer o;
  gboolean ok = FALSE;

  rng_seed (&r, seed, STREAM_PORTS);
  memset (&o, 0, sizeof o);

  /* Positions: evenly spread along the weighted arc length, jittered,
   * at least PORT_MIN_DIST_KM apart. */
  for (int b = 0; b < N_BORDERS; b++)
    {
      const LineSampler *ls = &w->portline[b];
      for (int i = 0; i < target[b]; i++)
        {
          for (int attempt = 0; attempt < 40; attempt++)
            {
              double jitter = rng_range (&r, -0.4, 0.4);
              double s = ((double) i + 0.5 + jitter) / target[b] * ls->total;
              Port p = { 0, 0, b };
              size_t si;
              gboolean far = TRUE;
              const Segment *sg;
              double dxk, dyk, len, nx, ny, side = 0.0;

              sampler_at (ls, s, &p.x, &p.y, &si);
              for (guint k = 0; k < ports->len && far; k++)
                {
                  const Port *q = &g_array_index (ports, Port, k);
                  if (haversine_km (p.x, p.y, q->x, q->y) < PORT_MIN_DIST_KM)
                    far = FALSE;
                }
              if (!far)
                continue;

              /* Move up to 300 m into the United States. */
              sg = &ls->seg[si];
              dxk = (sg->bx - sg->ax) * KM_PER_DEG_LON * cos (p.y * DEG2RAD);
              dyk = (sg->by - sg->ay) * KM_PER_DEG_LAT;
              len = sqrt (dxk * dxk + dyk * dyk);
              if (len > 0)
                {
                  double px, py;
                  nx = -dyk / len;
                  ny = dxk / len;
                  offset_km (p.x, p.y, 2.0 * nx, 2.0 * ny, &px, &py);
                  if (world_locate (w, px, py) == C_US)
                    side = 1.0;
                  else
                    {
                      offset_km (p.x, p.y, -2.0 * nx, -2.0 * ny, &px, &py);
                      if (world_locate (w, px, py) == C_US)
                        side = -1.0;
                    }
                  if (side != 0.0)
                    {
                      double d = rng_uniform (&r) * 0.3 * side;
                      offset_km (p.x, p.y, d * nx, d * ny, &px, &py);
                      if (world_locate (w, px, py) == C_US)
                        {
                          p.x = px;
                          p.y = py;
                        }
                    }
                }
              g_array_append_val (ports, p);
              sum->ports[b]++;
              break;
            }
        }
    }

  if (!out_open (&o, dir, "ports.geojson", "GeoJSON", "ports", wkbPoint, srs, error) ||
      !out_field (&o, "port_code", OFTString, 4, error) ||
      !out_field (&o, "port_name", OFTString, 0, error) ||
      !out_field (&o, "border", OFTString, 0, error) ||
      !out_field (&o, "country_pair", OFTString, 5, error) ||
      !out_field (&o, "country", OFTString, 2, error) ||
      !out_field (&o, "staff", OFTInteger, 0, error) ||
      !out_field (&o, "radius_km", OFTReal, 0, error) ||
      !out_field (&o, "opened", OFTDate, 0, error))
    goto out;

  for (guint i = 0; i < ports->len; i++)
    {
      const Port *p = &g_array_index (ports, Port, i);
      int district = port_district (p->border, p->x);
      char code[8];
      GString *name = g_string_new (NULL);
      OGRFeatureH f;
      OGRGeometryH g;
      int staff;
      double radius;
      gint64 opened;
      int y, m, d;

      if (++district_seq[district] > 99)
        {
          gen_fail (error, "ports.geojson", "too many ports in district %02d", district);
          g_string_free (name, TRUE);
          goto out;
        }
      g_snprintf (code, sizeof code, "%02d%02d", district, district_seq[district]);
      do
        {
          g_string_truncate (name, 0);
          /* named after the US town at the crossing; Spanish names are
           * common along the Mexican border */
          place_name (&r, p->border == B_MX && rng_uniform (&r) < 0.6 ? C_MX : C_US, p->x, p->y,
                      name);
          if (rng_uniform (&r) < 0.12)
            g_string_append (name, RNG_PICK (&r, port_suffix));
        }
      while (g_hash_table_contains (names, name->str));
      g_hash_table_add (names, g_strdup (name->str));

      staff = (int) lround (exp (3.2 + 0.9 * rng_normal (&r)));
      staff = CLAMP (staff, 4, 900);
      radius = round (rng_range (&r, 25.0, 75.0) * 10.0) / 10.0;
      opened = days_from_civil (1890, 1, 1) +
               (gint64) rng_below (&r, (size_t) (days_from_civil (2012, 12, 31) - days_from_civil (1890, 1, 1) + 1));
      civil_from_days (opened, &y, &m, &d);

      f = OGR_F_Create (OGR_L_GetLayerDefn (o.layer));
      OGR_F_SetFieldString (f, 0, code);
      OGR_F_SetFieldString (f, 1, name->str);
      OGR_F_SetFieldString (f, 2, border_port_label[p->border]);
      OGR_F_SetFieldString (f, 3, border_pair[p->border]);
      OGR_F_SetFieldString (f, 4, country_code[C_US]);
      OGR_F_SetFieldInteger (f, 5, staff);
      OGR_F_SetFieldDouble (f, 6, radius);
      OGR_F_SetFieldDateTime (f, 7, y, m, d, 0, 0, 0, 0);
      g = OGR_G_CreateGeometry (wkbPoint);
      OGR_G_SetPoint_2D (g, 0, p->x, p->y);
      OGR_F_SetGeometryDirectly (f, g);
      g_string_free (name, TRUE);
      if (!out_write (&o, f, error))
        goto out;
    }
  ok = TRUE;

out:
  g_hash_table_unref (names);
  g_array_free (ports, TRUE);
  return out_close (&o, ok, ok ? error : NULL) && ok;
}

/* ------------------------------------------------------------------ */
/* CSV output                                                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  FILE *fp;
  char *path;
  const char *file;
  char *buf;
} CsvOut;

static gboolean
csv_open (CsvOut *c, const char *dir, const char *file, GError **error)
{
  memset (c, 0, sizeof *c);
  c->file = file;
  c->path = g_build_filename (dir, file, NULL);
  c->fp = fopen (c->path, "wb");
  if (c->fp == NULL)
    {
      gen_fail (error, file, "cannot create: %s", g_strerror (errno));
      g_free (c->path);
      c->path = NULL;
      return FALSE;
    }
  c->buf = g_malloc (1 << 20);
  setvbuf (c->fp, c->buf, _IOFBF, 1 << 20);
  return TRUE;
}

static gboolean
csv_close (CsvOut *c, GError **error)
{
  gboolean ok = TRUE;

  if (c->fp != NULL)
    {
      if (ferror (c->fp))
        ok = FALSE;
      if (fclose (c->fp) != 0)
        ok = FALSE;
      if (!ok && error != NULL)
        gen_fail (error, c->file, "write error: %s", g_strerror (errno));
    }
  g_free (c->buf);
  g_free (c->path);
  memset (c, 0, sizeof *c);
  return ok;
}

static void
csv_text (FILE *fp, const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      fputs (s, fp);
      return;
    }
  fputc ('"', fp);
  for (; *s != '\0'; s++)
    {
      if (*s == '"')
        fputc ('"', fp);
      fputc (*s, fp);
    }
  fputc ('"', fp);
}

/* Writes a coordinate stored in micro-degrees with exactly 6 decimals. */
static void
csv_micro (FILE *fp, gint32 k)
{
  gint64 v = k;
  if (v < 0)
    {
      fputc ('-', fp);
      v = -v;
    }
  fprintf (fp, "%" G_GINT64_FORMAT ".%06d", v / 1000000, (int) (v % 1000000));
}

/* ------------------------------------------------------------------ */
/* Facilities                                                          */
/* ------------------------------------------------------------------ */

static void
facility_name (Rng *r, int country, int sector, double x, double y, GString *s)
{
  GString *place = g_string_new (NULL);

  place_name (r, country, x, y, place);
  if (country == C_MX)
    {
      g_string_append (s, sector_word_es[sector][rng_below (r, 3)]);
      g_string_append_c (s, ' ');
      g_string_append (s, place->str);
      g_string_append (s, rng_uniform (r) < 0.7 ? ", S.A. de C.V." : ", S. de R.L. de C.V.");
    }
  else
    {
      static const char *const us_legal[] = { " Inc.", ", Inc.", " LLC", " Corp.", " Co.", "" };
      static const char *const ca_legal[] = { " Ltd.", ", Ltd.", " Inc.", "" };
      g_string_append (s, place->str);
      g_string_append_c (s, ' ');
      g_string_append (s, sector_word_en[sector][rng_below (r, 3)]);
      if (country == C_CA && x > -80.0 && y < 52.0 && rng_uniform (r) < 0.4)
        g_string_append (s, " Lt\xc3\xa9" "e"); /* Quebec */
      else
        g_string_append (s, country == C_CA ? RNG_PICK (r, ca_legal) : RNG_PICK (r, us_legal));
    }
  g_string_free (place, TRUE);
}

/* Number of facilities when --facilities is not given. */
static gint64
default_facilities (gint64 n_incidents)
{
  gint64 n = MAX (G_GINT64_CONSTANT (2000), n_incidents / 20);
  return MIN (n, G_GINT64_CONSTANT (100000));
}

static gboolean
write_facilities (World *w, uint64_t seed, gint64 n, const char *dir, Summary *sum, GError **error)
{
  Rng r;
  CsvOut out;
  const gint64 d0 = days_from_civil (SPAN_START_YEAR, 1, 1);
  const gint64 d1 = days_from_civil (SPAN_END_YEAR, 12, 31);
  GString *name = g_string_new (NULL);

  rng_seed (&r, seed, STREAM_FACILITIES);
  if (!csv_open (&out, dir, "facilities.csv", error))
    {
      g_string_free (name, TRUE);
      return FALSE;
    }
  fputs ("facility_id,name,country,sector,hazardous_waste,ods_handler,risk,last_inspection,"
         "longitude,latitude\n",
         out.fp);

  for (gint64 i = 0; i < n; i++)
    {
      double x = 0, y = 0, u = rng_uniform (&r);
      int c, sector, hw, ods, risk;
      gboolean near_mx = FALSE;
      double sw[N_SECTORS];
      char date[16];

      if (u < 0.62)
        c = sample_near_city (w, &r, 0.3, &x, &y);
      else if (u < 0.88)
        {
          int b = rng_uniform (&r) < 0.6 ? B_MX : B_CA;
          near_mx = (b == B_MX);
          c = sample_near_border (w, &r, b, 35.0, 100.0, &x, &y);
        }
      else
        c = sample_uniform_land (w, &r, 0.1, &x, &y);
      if (c < 0)
        {
          gen_fail (error, "facilities.csv", "cannot place a facility on land");
          csv_close (&out, NULL);
          g_string_free (name, TRUE);
          return FALSE;
        }

      memcpy (sw, sector_weight, sizeof sw);
      if (c == C_CA)
        {
          sw[SECTOR_MINING] *= 2.0;
          sw[SECTOR_PULP] *= 3.0;
        }
      else if (c == C_MX)
        {
          sw[SECTOR_ELECTROPLATING] *= 1.5;
          sw[SECTOR_REFRIGERANT] *= 1.5;
        }
      if (near_mx)
        sw[SECTOR_REFRIGERANT] *= 2.0;
      sector = rng_weighted (&r, sw, N_SECTORS);
      hw = rng_uniform (&r) < sector_hw_prob[sector];
      ods = rng_uniform (&r) < sector_ods_prob[sector];
      risk = (int) lround (sector_base_risk[sector] + 0.5 * hw + 0.5 * ods + 0.9 * rng_normal (&r));
      risk = CLAMP (risk, 1, 5);
      format_date (d0 + (gint64) rng_below (&r, (size_t) (d1 - d0 + 1)), date);
      g_string_truncate (name, 0);
      facility_name (&r, c, sector, x, y, name);

      fprintf (out.fp, "%" G_GINT64_FORMAT ",", 100000 + i + 1);
      csv_text (out.fp, name->str);
      fprintf (out.fp, ",%s,", country_code[c]);
      csv_text (out.fp, sector_name[sector]);
      fprintf (out.fp, ",%d,%d,%d,%s,", hw, ods, risk, date);
      csv_micro (out.fp, to_micro (x));
      fputc (',', out.fp);
      csv_micro (out.fp, to_micro (y));
      fputc ('\n', out.fp);
    }
  g_string_free (name, TRUE);
  sum->facilities = (int) n;
  return csv_close (&out, error);
}

/* ------------------------------------------------------------------ */
/* Habitat                                                             */
/* ------------------------------------------------------------------ */

/* Clips blob to the land of country c; NULL if nothing is left. */
static GEOSGeometry *
clip_to_country (World *w, const GEOSGeometry *blob, int c, double minx, double miny,
                 double maxx, double maxy)
{
  GPtrArray *pieces = g_ptr_array_new ();
  GEOSGeometry *out = NULL;

  for (size_t i = 0; i < w->n_parts; i++)
    {
      const LandPart *p = &w->parts[i];
      GEOSGeometry *inter;

      if (p->country != c || p->maxx < minx || p->minx > maxx || p->maxy < miny || p->miny > maxy)
        continue;
      if (GEOSPreparedContains_r (w->ctx, p->prep, blob) == 1)
        {
          destroy_geoms (w, pieces);
          g_ptr_array_add (pieces, GEOSGeom_clone_r (w->ctx, blob));
          break;
        }
      if (GEOSPreparedIntersects_r (w->ctx, p->prep, blob) != 1)
        continue;
      inter = GEOSIntersection_r (w->ctx, blob, p->geom);
      if (inter == NULL)
        continue;
      collect_polygons (w, inter, pieces);
      GEOSGeom_destroy_r (w->ctx, inter);
    }
  if (pieces->len > 0)
    out = to_valid_multipolygon (w, make_multi (w, GEOS_MULTIPOLYGON, pieces));
  destroy_geoms (w, pieces);
  g_ptr_array_free (pieces, TRUE);
  return out;
}

static int
pick_species (Rng *r, int c, double x, double y)
{
  int cand[N_SPECIES * 2];
  int n = 0;

#define ADD(s) (cand[n++] = (s))
  if (c == C_MX && in_box (x, y, -116.0, 28.5, -111.5, 32.6))
    {
      ADD (SP_VAQUITA);
      ADD (SP_VAQUITA);
      ADD (SP_DESERT_TORTOISE);
    }
  if (y >= 50.0 || (c == C_CA && y >= 46.0))
    {
      ADD (SP_CARIBOU);
      ADD (SP_GRIZZLY);
    }
  if (y >= 42.0 && y < 50.0 && x < -105.0)
    ADD (SP_GRIZZLY);
  if (y >= 28.0 && y < 38.0 && x > -119.0 && x < -103.0)
    {
      ADD (SP_DESERT_TORTOISE);
      ADD (SP_DESERT_TORTOISE);
    }
  if (y < 32.5 && x > -112.0 && x < -104.0)
    ADD (SP_JAGUAR);
  if (y >= 22.0 && y < 30.5 && x > -101.0)
    {
      ADD (SP_OCELOT);
      ADD (SP_SEA_TURTLE);
    }
  if (y < 23.0)
    {
      ADD (SP_JAGUAR);
      ADD (SP_JAGUAR);
      ADD (SP_SEA_TURTLE);
      ADD (SP_OCELOT);
    }
  if (y < 50.0 && (c != C_MX || (y > 18.0 && y < 21.0)))
    ADD (SP_MONARCH);
  if (y < 48.0 && x > -100.0)
    ADD (SP_MONARCH);
  if (n == 0)
    ADD (SP_MONARCH);
#undef ADD
  return cand[rng_below (r, (size_t) n)];
}

static int
pick_designation (Rng *r, int species)
{
  static const double w_marine[N_DESIGNATIONS] = { 2, 4, 4, 0, 3 };
  static const double w_forest[N_DESIGNATIONS] = { 3, 2, 3, 4, 1 };
  static const double w_dry[N_DESIGNATIONS] = { 4, 3, 4, 1, 1 };
  static const double w_default[N_DESIGNATIONS] = { 4, 2, 3, 2, 2 };

  switch (species)
    {
    case SP_VAQUITA:
    case SP_SEA_TURTLE:
      return rng_weighted (r, w_marine, N_DESIGNATIONS);
    case SP_JAGUAR:
    case SP_OCELOT:
    case SP_GRIZZLY:
    case SP_CARIBOU:
      return rng_weighted (r, w_forest, N_DESIGNATIONS);
    case SP_DESERT_TORTOISE:
      return rng_weighted (r, w_dry, N_DESIGNATIONS);
    case SP_MONARCH:
    default:
      return rng_weighted (r, w_default, N_DESIGNATIONS);
    }
}

static gboolean
write_habitat (World *w, uint64_t seed, int n, const char *dir, OGRSpatialReferenceH srs,
               Summary *sum, GError **error)
{
  Rng r;
  OutLayer o;
  gboolean ok = FALSE;
  int made = 0;
  GString *name = g_string_new (NULL);
  guint n_hot = w->hot->len;

  rng_seed (&r, seed, STREAM_HABITAT);
  if (!out_open (&o, dir, "habitat.gpkg", "GPKG", "habitat", wkbMultiPolygon, srs, error) ||
      !out_field (&o, "habitat_id", OFTInteger, 0, error) ||
      !out_field (&o, "name", OFTString, 0, error) ||
      !out_field (&o, "country", OFTString, 2, error) ||
      !out_field (&o, "designation", OFTString, 0, error) ||
      !out_field (&o, "species", OFTString, 0, error) ||
      !out_begin (&o, error))
    goto out;

  for (int attempt = 0; made < n; attempt++)
    {
      double cx = 0, cy = 0, u = rng_uniform (&r);
      int c = -1, nv, species, desig;
      double radius, minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9, blob_area = 0, area = 0;
      GEOSCoordSequence *cs;
      GEOSGeometry *ring, *blob, *clipped;
      OGRFeatureH f;
      OGRGeometryH g;

      if (attempt > n * 100)
        {
          gen_fail (error, "habitat.gpkg", "cannot place habitat polygons on land");
          goto out;
        }
      if (u < 0.30)
        c = sample_near_border (w, &r, B_MX, 50.0, 120.0, &cx, &cy);
      else if (u < 0.50 && n_hot > 0)
        {
          const Hotspot *h = &g_array_index (w->hot, Hotspot, rng_below (&r, n_hot));
          double dx, dy;
          gauss_offset (&r, h->radius_km + 10.0, 2.0 * h->radius_km + 40.0, &dx, &dy);
          offset_km (h->lon, h->lat, dx, dy, &cx, &cy);
          c = world_locate (w, cx, cy);
        }
      else if (u < 0.60)
        c = sample_near_border (w, &r, B_CA, 50.0, 120.0, &cx, &cy);
      else
        c = sample_uniform_land (w, &r, 0.35, &cx, &cy);
      if (c < 0)
        continue;

      radius = 5.0 * pow (12.0, rng_uniform (&r)); /* 5 .. 60 km, log-uniform */
      nv = 10 + (int) rng_below (&r, 15);
      cs = GEOSCoordSeq_create_r (w->ctx, (unsigned int) nv + 1, 2);
      for (int i = 0; i < nv; i++)
        {
          /* sorted angles: one per sector, jittered inside it */
          double ang = ((double) i + rng_range (&r, 0.1, 0.9)) * 2.0 * G_PI / nv;
          double rad = radius * rng_range (&r, 0.45, 1.0);
          double x, y;
          offset_km (cx, cy, rad * cos (ang), rad * sin (ang), &x, &y);
          GEOSCoordSeq_setXY_r (w->ctx, cs, (unsigned int) i, x, y);
          if (i == 0)
            GEOSCoordSeq_setXY_r (w->ctx, cs, (unsigned int) nv, x, y);
          minx = MIN (minx, x);
          miny = MIN (miny, y);
          maxx = MAX (maxx, x);
          maxy = MAX (maxy, y);
        }
      ring = GEOSGeom_createLinearRing_r (w->ctx, cs);
      blob = ring != NULL ? GEOSGeom_createPolygon_r (w->ctx, ring, NULL, 0) : NULL;
      if (blob == NULL)
        {
          gen_fail (error, "GEOS", "cannot build polygon: %s", geos_last_error (w));
          goto out;
        }
      clipped = clip_to_country (w, blob, c, minx, miny, maxx, maxy);
      GEOSArea_r (w->ctx, blob, &blob_area);
      GEOSGeom_destroy_r (w->ctx, blob);
      if (clipped == NULL)
        continue;
      if (GEOSArea_r (w->ctx, clipped, &area) != 1 || area < 0.25 * blob_area)
        {
          GEOSGeom_destroy_r (w->ctx, clipped);
          continue;
        }

      species = pick_species (&r, c, cx, cy);
      desig = pick_designation (&r, species);
      g_string_truncate (name, 0);
      if (c == C_MX)
        {
          g_string_append (name, designation_title_es[desig]);
          g_string_append_c (name, ' ');
          place_name (&r, c, cx, cy, name);
        }
      else
        {
          place_name (&r, c, cx, cy, name);
          g_string_append_c (name, ' ');
          g_string_append (name, designation_title_en[desig]);
        }

      g = geos_to_ogr (w, clipped);
      GEOSGeom_destroy_r (w->ctx, clipped);
      if (g == NULL)
        {
          gen_fail (error, "habitat.gpkg", "cannot convert geometry");
          goto out;
        }
      made++;
      f = OGR_F_Create (OGR_L_GetLayerDefn (o.layer));
      OGR_F_SetFieldInteger (f, 0, made);
      OGR_F_SetFieldString (f, 1, name->str);
      OGR_F_SetFieldString (f, 2, country_code[c]);
      OGR_F_SetFieldString (f, 3, designation_name[desig]);
      OGR_F_SetFieldString (f, 4, species_name[species]);
      OGR_F_SetGeometryDirectly (f, g);
      if (!out_write (&o, f, error))
        goto out;
    }
  sum->habitat = made;
  ok = TRUE;

out:
  g_string_free (name, TRUE);
  return out_close (&o, ok, ok ? error : NULL) && ok;
}

/* ------------------------------------------------------------------ */
/* Incidents                                                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  gint64 t; /* seconds since 1970-01-01T00:00:00Z */
  gint32 x, y; /* micro-degrees */
  guint32 seq;
  guint8 category, severity, country, pad;
} Incident;

static int
incident_cmp (const void *a, const void *b)
{
  const Incident *ia = a, *ib = b;
  if (ia->t != ib->t)
    return ia->t < ib->t ? -1 : 1;
  return ia->seq < ib->seq ? -1 : (ia->seq > ib->seq ? 1 : 0);
}

static int
other_category (Rng *r, int not_this)
{
  int c = (int) rng_below (r, N_CATEGORIES - 1);
  return c >= not_this ? c + 1 : c;
}

static gboolean
generate_hotspot (World *w, uint64_t seed, guint index, Incident *out, guint32 *seq,
                  GError **error)
{
  Hotspot *h = &g_array_index (w->hot, Hotspot, index);
  Rng r;
  const gint64 t0 = h->start_days * 86400;
  const gint64 span = (h->end_days - h->start_days + 1) * 86400; /* end day inclusive */
  gint64 side_count[N_COUNTRIES] = { 0 };
  double sigma = h->radius_km / 2.0;

  rng_seed (&r, seed, STREAM_HOTSPOT_BASE + (uint64_t) index);
  for (gint64 i = 0; i < h->count; i++)
    {
      Incident *inc = &out[i];
      gboolean last = (i == h->count - 1);
      int want = -1;
      int c = -1;
      gint64 dt;

      /* A straddling hotspot must have points on both sides: if the last
       * point is reached and one side is still empty, place it there. */
      if (last && h->straddle_a >= 0 && h->count >= 2)
        {
          if (side_count[h->straddle_a] == 0)
            want = h->straddle_a;
          else if (side_count[h->straddle_b] == 0)
            want = h->straddle_b;
        }
      for (int attempt = 0; c < 0; attempt++)
        {
          double dx, dy, x, y;
          if (attempt > 1000000)
            {
              gen_fail (error, w->hotspots_path, "hotspot %d (%s): no land within %.1f km",
                        h->id, h->name, h->radius_km);
              return FALSE;
            }
          gauss_offset (&r, sigma, h->radius_km, &dx, &dy);
          offset_km (h->lon, h->lat, dx, dy, &x, &y);
          inc->x = to_micro (x);
          inc->y = to_micro (y);
          c = world_locate (w, from_micro (inc->x), from_micro (inc->y));
          if (want >= 0 && c != want)
            c = -1;
        }
      side_count[c]++;
      inc->country = (guint8) c;

      if (h->rising)
        dt = (gint64) (cbrt (rng_uniform (&r)) * (double) span); /* density ~ (t - start)^2 */
      else
        dt = (gint64) (rng_uniform (&r) * (double) span);
      inc->t = t0 + MIN (dt, span - 1);
      inc->category = (guint8) (rng_uniform (&r) < 0.8 ? h->category : other_category (&r, h->category));
      inc->severity = (guint8) (1 + rng_weighted (&r, hotspot_severity_weight, 5));
      inc->seq = (*seq)++;
    }
  return TRUE;
}

static gboolean
write_incidents (World *w, uint64_t seed, gint64 n, const char *dir, Summary *sum,
                 GError **error)
{
  Incident *inc;
  gint64 k = 0, n_hot_total = 0;
  guint32 seq = 0;
  Rng r;
  const gint64 t0 = days_from_civil (SPAN_START_YEAR, 1, 1) * 86400;
  const gint64 span = (days_from_civil (SPAN_END_YEAR, 12, 31) + 1) * 86400 - t0;
  CsvOut out;

  for (guint i = 0; i < w->hot->len; i++)
    {
      Hotspot *h = &g_array_index (w->hot, Hotspot, i);
      h->count = llround (h->share * (double) n);
      n_hot_total += h->count;
    }
  if (n_hot_total > n)
    {
      gen_fail (error, "incidents.csv", "hotspot shares exceed the incident count");
      return FALSE;
    }

  inc = g_try_new (Incident, (gsize) MAX (n, 1));
  if (inc == NULL)
    {
      gen_fail (error, "incidents.csv", "out of memory for %" G_GINT64_FORMAT " incidents", n);
      return FALSE;
    }

  for (guint i = 0; i < w->hot->len; i++)
    {
      Hotspot *h = &g_array_index (w->hot, Hotspot, i);
      if (!generate_hotspot (w, seed, i, inc + k, &seq, error))
        {
          g_free (inc);
          return FALSE;
        }
      k += h->count;
    }

  rng_seed (&r, seed, STREAM_BACKGROUND);
  for (; k < n; k++)
    {
      Incident *it = &inc[k];
      double x = 0, y = 0, u = rng_uniform (&r), tu;
      int c, zone;

      if (u < 0.40)
        {
          int b = rng_uniform (&r) < 0.5 ? B_MX : B_CA;
          c = sample_near_border (w, &r, b, 70.0, 200.0, &x, &y);
          zone = b == B_MX ? ZONE_BORDER_MX : ZONE_BORDER_CA;
        }
      else
        {
          if (u < 0.85)
            c = sample_near_city (w, &r, 1.0, &x, &y);
          else
            c = sample_uniform_land (w, &r, 0.15, &x, &y);
          zone = c == C_US ? ZONE_INTERIOR_US : (c == C_CA ? ZONE_INTERIOR_CA : ZONE_INTERIOR_MX);
        }
      if (c < 0)
        {
          gen_fail (error, "incidents.csv", "cannot place an incident on land");
          g_free (inc);
          return FALSE;
        }
      it->x = to_micro (x);
      it->y = to_micro (y);
      it->country = (guint8) c;
      /* gently rising over the years: density ~ 1 + 0.4 s on s in [0, 1) */
      tu = rng_uniform (&r);
      tu = (-1.0 + sqrt (1.0 + 0.8 * 1.2 * tu)) / 0.4;
      it->t = t0 + MIN ((gint64) (tu * (double) span), span - 1);
      it->category = (guint8) rng_weighted (&r, zone_category_weight[zone], N_CATEGORIES);
      it->severity = (guint8) (1 + rng_weighted (&r, background_severity_weight, 5));
      it->seq = seq++;
    }

  qsort (inc, (size_t) n, sizeof *inc, incident_cmp);

  if (!csv_open (&out, dir, "incidents.csv", error))
    {
      g_free (inc);
      return FALSE;
    }
  fputs ("incident_id,occurred,category,severity,country,longitude,latitude\n", out.fp);
  for (gint64 i = 0; i < n; i++)
    {
      const Incident *it = &inc[i];
      gint64 days = floor_div (it->t, 86400);
      int secs = (int) (it->t - days * 86400);
      int y, m, d;

      civil_from_days (days, &y, &m, &d);
      fprintf (out.fp, "%" G_GINT64_FORMAT ",%04d-%02d-%02dT%02d:%02d:%02dZ,%s,%d,%s,", i + 1, y, m,
               d, secs / 3600, (secs / 60) % 60, secs % 60, category_name[it->category],
               it->severity, country_code[it->country]);
      csv_micro (out.fp, it->x);
      fputc (',', out.fp);
      csv_micro (out.fp, it->y);
      fputc ('\n', out.fp);
    }
  g_free (inc);
  sum->incidents = n;
  sum->hotspot_incidents = n_hot_total;
  return csv_close (&out, error);
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

static void
world_free (World *w)
{
  if (w->ctx == NULL)
    return;
  for (size_t i = 0; i < w->n_parts; i++)
    if (w->parts[i].prep != NULL)
      GEOSPreparedGeom_destroy_r (w->ctx, w->parts[i].prep);
  g_free (w->parts);
  g_free (w->cell_start);
  g_free (w->cell_items);
  for (int b = 0; b < N_BORDERS; b++)
    {
      if (w->border[b] != NULL)
        GEOSGeom_destroy_r (w->ctx, w->border[b]);
      g_free (w->seg[b]);
      g_free (w->spread[b].cum);
      g_free (w->portline[b].cum);
    }
  for (int c = 0; c < N_COUNTRIES; c++)
    if (w->country[c] != NULL)
      GEOSGeom_destroy_r (w->ctx, w->country[c]);
  if (w->wkb_reader != NULL)
    GEOSWKBReader_destroy_r (w->ctx, w->wkb_reader);
  if (w->wkb_writer != NULL)
    GEOSWKBWriter_destroy_r (w->ctx, w->wkb_writer);
  hotspots_free (w->hot);
  GEOS_finish_r (w->ctx);
  memset (w, 0, sizeof *w);
}

static gboolean
run (const char *world_map, const char *out_dir, const char *hotspots_path, gint64 n,
     gint64 n_facilities, int n_habitat, uint64_t seed, GError **error)
{
  World w;
  Summary sum;
  GDALDatasetH src = NULL;
  OGRSpatialReferenceH srs = NULL;
  gboolean ok = FALSE;
  static const char *const gpkg_only[] = { "GPKG", NULL };

  memset (&w, 0, sizeof w);
  memset (&sum, 0, sizeof sum);

  w.ctx = GEOS_init_r ();
  if (w.ctx == NULL)
    {
      gen_fail (error, "GEOS", "cannot initialise");
      return FALSE;
    }
  GEOSContext_setErrorMessageHandler_r (w.ctx, geos_error_handler, &w);
  GEOSContext_setNoticeMessageHandler_r (w.ctx, geos_notice_handler, &w);
  w.wkb_reader = GEOSWKBReader_create_r (w.ctx);
  w.wkb_writer = GEOSWKBWriter_create_r (w.ctx);
  GEOSWKBWriter_setOutputDimension_r (w.ctx, w.wkb_writer, 2);
  GEOSWKBWriter_setByteOrder_r (w.ctx, w.wkb_writer, GEOS_WKB_NDR);

  w.hotspots_path = hotspots_path;
  w.hot = load_hotspots (hotspots_path, error);
  if (w.hot == NULL)
    goto out;

  if (!g_file_test (world_map, G_FILE_TEST_IS_REGULAR))
    {
      gen_fail (error, world_map, "no such file");
      goto out;
    }
  CPLErrorReset ();
  src = GDALOpenEx (world_map, GDAL_OF_VECTOR | GDAL_OF_READONLY, gpkg_only, NULL, NULL);
  if (src == NULL)
    {
      gen_fail (error, world_map, "cannot open as GeoPackage: %s",
                CPLGetLastErrorMsg ()[0] != '\0' ? CPLGetLastErrorMsg () : "not a GeoPackage");
      goto out;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      gen_fail (error, out_dir, "cannot create directory: %s", g_strerror (errno));
      goto out;
    }
  srs = make_wgs84 (error);
  if (srs == NULL)
    goto out;

  if (!write_countries (&w, src, world_map, out_dir, srs, error) ||
      !write_states (&w, src, world_map, out_dir, srs, &sum, error))
    goto out;
  GDALClose (src);
  src = NULL;

  if (!build_land_index (&w, error) ||
      !compute_border (&w, B_CA, error) ||
      !compute_border (&w, B_MX, error) ||
      !write_boundaries (&w, out_dir, srs, error) ||
      !make_cities (&w, seed, error) ||
      !write_ports (&w, seed, out_dir, srs, &sum, error) ||
      !write_facilities (&w, seed, n_facilities, out_dir, &sum, error) ||
      !write_habitat (&w, seed, n_habitat, out_dir, srs, &sum, error) ||
      !write_incidents (&w, seed, n, out_dir, &sum, error))
    goto out;

  printf ("countries.geojson: %d features (US, CA, MX)\n", N_COUNTRIES);
  printf ("states_provinces.geojson: %d features (US %d, CA %d, MX %d)\n",
          sum.states[C_US] + sum.states[C_CA] + sum.states[C_MX], sum.states[C_US],
          sum.states[C_CA], sum.states[C_MX]);
  printf ("boundary_lines.geojson: %d features (US-CA %.0f km, US-MX %.0f km)\n", N_BORDERS,
          w.border_km[B_CA], w.border_km[B_MX]);
  printf ("ports.geojson: %d features (US-CA %d, US-MX %d)\n", sum.ports[B_CA] + sum.ports[B_MX],
          sum.ports[B_CA], sum.ports[B_MX]);
  printf ("facilities.csv: %d rows\n", sum.facilities);
  printf ("habitat.gpkg: %d features\n", sum.habitat);
  printf ("incidents.csv: %" G_GINT64_FORMAT " rows (%" G_GINT64_FORMAT " in %u planted hotspots)\n",
          sum.incidents, sum.hotspot_incidents, w.hot->len);
  if (fflush (stdout) != 0)
    {
      gen_fail (error, "stdout", "write error: %s", g_strerror (errno));
      goto out;
    }
  ok = TRUE;

out:
  if (src != NULL)
    GDALClose (src);
  if (srs != NULL)
    OSRDestroySpatialReference (srs);
  world_free (&w);
  return ok;
}

int
main (int argc, char **argv)
{
  char *world_map = NULL, *out_dir = NULL, *hotspots = NULL;
  gint64 n = 100000, n_facilities = -1 /* from n */, seed = 20261128;
  int n_habitat = DEFAULT_HABITAT;
  GOptionEntry entries[] = {
    { "world-map", 0, 0, G_OPTION_ARG_FILENAME, &world_map,
      "Natural Earth world_map.gpkg (from Debian's qgis-common)", "PATH" },
    { "out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "Directory to write the files into", "DIR" },
    { "incidents", 0, 0, G_OPTION_ARG_INT64, &n, "Number of incidents (default 100000)", "N" },
    { "facilities", 0, 0, G_OPTION_ARG_INT64, &n_facilities,
      "Number of facilities (default max(2000, N/20), at most 100000)", "N" },
    { "habitat", 0, 0, G_OPTION_ARG_INT, &n_habitat, "Number of habitat polygons (default 300)",
      "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 20261128)", "S" },
    { "hotspots", 0, 0, G_OPTION_ARG_FILENAME, &hotspots, "Planted hotspots CSV", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *ctx;
  GError *error = NULL;
  int status = 0;

  ctx = g_option_context_new ("- generate the Atalaya sample store input files");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      char *msg = one_line (error->message);
      fprintf (stderr, "%s: command line: %s\n", PROGRAM_NAME, msg);
      g_free (msg);
      g_clear_error (&error);
      g_option_context_free (ctx);
      return 1;
    }
  g_option_context_free (ctx);

  if (world_map == NULL || out_dir == NULL)
    {
      fprintf (stderr, "%s: command line: --world-map and --out-dir are required\n", PROGRAM_NAME);
      status = 1;
    }
  else if (argc > 1)
    {
      fprintf (stderr, "%s: command line: unexpected argument '%s'\n", PROGRAM_NAME, argv[1]);
      status = 1;
    }
  else if (n < 1 || n > MAX_INCIDENTS)
    {
      fprintf (stderr, "%s: command line: --incidents must be between 1 and %" G_GINT64_FORMAT "\n",
               PROGRAM_NAME, MAX_INCIDENTS);
      status = 1;
    }
  else if (n_facilities != -1 && (n_facilities < 1 || n_facilities > MAX_FACILITIES))
    {
      fprintf (stderr,
               "%s: command line: --facilities must be between 1 and %" G_GINT64_FORMAT "\n",
               PROGRAM_NAME, MAX_FACILITIES);
      status = 1;
    }
  else if (n_habitat < 1 || n_habitat > MAX_HABITAT)
    {
      fprintf (stderr, "%s: command line: --habitat must be between 1 and %d\n", PROGRAM_NAME,
               MAX_HABITAT);
      status = 1;
    }
  if (status != 0)
    goto out;

  GDALAllRegister ();
  CPLPushErrorHandler (CPLQuietErrorHandler);
  CPLSetConfigOption ("OGR_CURRENT_DATE", FIXED_GPKG_DATE);

  if (n_facilities == -1)
    n_facilities = default_facilities (n);

  if (!run (world_map, out_dir, hotspots != NULL ? hotspots : ATALAYA_SAMPLE_HOTSPOTS, n,
            n_facilities, n_habitat, (uint64_t) seed, &error))
    {
      fprintf (stderr, "%s: %s\n", PROGRAM_NAME, error != NULL ? error->message : "failed");
      g_clear_error (&error);
      status = 1;
    }

  CPLSetConfigOption ("OGR_CURRENT_DATE", NULL);
  CPLPopErrorHandler ();
  GDALDestroyDriverManager ();
  OGRCleanupAll ();

out:
  g_free (world_map);
  g_free (out_dir);
  g_free (hotspots);
  return status;
}
