-- 0006: minimum ages of the certifications TMDb reports (SPEC §4.4).
--
-- Generated from TMDb's certification lists (tests/fixtures/tmdb/
-- certification-{movie,tv}-list.json, the vocabulary for the spellings),
-- then reviewed row by row; one INSERT per country, rows in TMDb's "order"
-- (movie list first, then what only the TV list has). The table's key is
-- (country, certification): where a movie and a TV rating of one country
-- share a spelling they share the age (they agree everywhere TMDb lists both).
--
-- Rule: the first number in a certification is its minimum age ("16",
-- "MA 15+", "PG12", "U/A 7+", "7-9PG", "K-12", "M/3"). Without a number:
--   * general-audience and children's marks are 0 (G, U, L, T, A in DK/NO/
--     ES/MX/ZA, AL, TP, Btl, KN, SU, "All", ...), and so are exemptions from
--     classification (AU E, CA E/Exempt, KR Exempt, DK F, IL E): exempt works
--     must be harmless;
--   * parental-guidance marks are 8 (US/GB/AU/CA/IE/NZ/SG/PH/PR/VI PG, IT BA),
--     the age BBFC and IFCO give for PG. US PG is 8, not 0: PG warns that
--     material may not suit young children, and 8 keeps it between G (0) and
--     PG-13 (13) so a child's limit can tell them apart. ZA PG is 6 (TMDb:
--     "children under 6 ... must be accompanied") and sits below ZA 7-9PG;
--   * restricted, adult-only, banned and refused marks take the country's
--     adult age: 18 (RC, R18, X, XX, KK, C/D in AR/MX/MO, HU X, IN A and S,
--     PT P, NZ R, CA R/A), TH Banned and "-" 20.
-- Set from TMDb's meaning text: US and PR/VI R 17 (under 17 only with a
-- parent) and NC-17 18 ("no one 17 and under"), US TV-PG 10 and TV-MA 17,
-- TV-Y7 7 (also ID TV A, "children from ages 7"), AU M 15 (as MA 15+),
-- NZ M 16 ("mature audiences 16 years and over"), MX B 12, IN UA 12,
-- PH SPG 13, BG C 12 / D 16, MO B 13 / C 16, HK IIA 12 / IIB 15 / III 18.
-- A number that is not the age: none besides NC-17.
--
-- "NR" and "UR" (no rating information) are not certifications: a title
-- with only those is unrated and follows the user's setting for unrated
-- titles. TMDb's Quebec list (CA-QC) is left out: release dates are keyed by
-- ISO 3166-1 countries. Not from TMDb's lists: FR U (older French releases)
-- and Austria (AT, the JMK ages 0–16 plus 18), which TMDb lists nowhere but
-- release dates carry.
--
-- TMDb's order is followed (a later certification is never younger) except
-- where TMDb lists a children's track before the general one (US/PR/VI TV-Y7
-- before TV-G, CA TV C8 before G), an exemption last (DK F), or an advisory
-- mark before restrictive ones (NZ M before R13); tests/integration/
-- test_certifications.c names the same exceptions.
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('AR', 'AR', 'ATP', 0),
	('AR', 'AR', '+13', 13),
	('AR', 'AR', '+16', 16),
	('AR', 'AR', '+18', 18),
	('AR', 'AR', 'C', 18),
	('AR', 'AR', 'SAM 13', 13),
	('AR', 'AR', 'SAM 16', 16),
	('AR', 'AR', 'SAM 18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('AT', 'AT', '0', 0),
	('AT', 'AT', '6', 6),
	('AT', 'AT', '8', 8),
	('AT', 'AT', '10', 10),
	('AT', 'AT', '12', 12),
	('AT', 'AT', '14', 14),
	('AT', 'AT', '16', 16),
	('AT', 'AT', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('AU', 'ACB', 'E', 0),
	('AU', 'ACB', 'G', 0),
	('AU', 'ACB', 'PG', 8),
	('AU', 'ACB', 'M', 15),
	('AU', 'ACB', 'MA 15+', 15),
	('AU', 'ACB', 'R 18+', 18),
	('AU', 'ACB', 'X 18+', 18),
	('AU', 'ACB', 'RC', 18),
	('AU', 'ACB', 'P', 0),
	('AU', 'ACB', 'C', 0),
	('AU', 'ACB', 'AV 15+', 15);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('BG', 'BG', 'A', 0),
	('BG', 'BG', 'B', 0),
	('BG', 'BG', 'C', 12),
	('BG', 'BG', 'D', 16),
	('BG', 'BG', 'X', 18),
	('BG', 'BG', 'Unrated', 0),
	('BG', 'BG', '12', 12),
	('BG', 'BG', '14', 14),
	('BG', 'BG', '16', 16),
	('BG', 'BG', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('BR', 'DJCTQ', 'L', 0),
	('BR', 'DJCTQ', '10', 10),
	('BR', 'DJCTQ', '12', 12),
	('BR', 'DJCTQ', '14', 14),
	('BR', 'DJCTQ', '16', 16),
	('BR', 'DJCTQ', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('CA', 'CA', 'E', 0),
	('CA', 'CA', 'G', 0),
	('CA', 'CA', 'PG', 8),
	('CA', 'CA', '14A', 14),
	('CA', 'CA', '18A', 18),
	('CA', 'CA', 'R', 18),
	('CA', 'CA', 'A', 18),
	('CA', 'CA', 'Exempt', 0),
	('CA', 'CA', 'C', 0),
	('CA', 'CA', 'C8', 8),
	('CA', 'CA', '14+', 14),
	('CA', 'CA', '18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('CH', 'CH', '0', 0),
	('CH', 'CH', '6', 6),
	('CH', 'CH', '8', 8),
	('CH', 'CH', '10', 10),
	('CH', 'CH', '12', 12),
	('CH', 'CH', '14', 14),
	('CH', 'CH', '16', 16),
	('CH', 'CH', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('CZ', 'CZ', 'U', 0),
	('CZ', 'CZ', '12+', 12),
	('CZ', 'CZ', '15+', 15),
	('CZ', 'CZ', '18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('DE', 'FSK', '0', 0),
	('DE', 'FSK', '6', 6),
	('DE', 'FSK', '12', 12),
	('DE', 'FSK', '16', 16),
	('DE', 'FSK', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('DK', 'DK', 'A', 0),
	('DK', 'DK', '7', 7),
	('DK', 'DK', '11', 11),
	('DK', 'DK', '15', 15),
	('DK', 'DK', 'F', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('ES', 'ES', 'A', 0),
	('ES', 'ES', 'Ai', 0),
	('ES', 'ES', '7', 7),
	('ES', 'ES', '7i', 7),
	('ES', 'ES', '12', 12),
	('ES', 'ES', '16', 16),
	('ES', 'ES', '18', 18),
	('ES', 'ES', 'X', 18),
	('ES', 'ES', 'ERI', 0),
	('ES', 'ES', 'TP', 0),
	('ES', 'ES', '10', 10),
	('ES', 'ES', '13', 13);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('FI', 'FI', 'S', 0),
	('FI', 'FI', 'K-7', 7),
	('FI', 'FI', 'K-12', 12),
	('FI', 'FI', 'K-16', 16),
	('FI', 'FI', 'K-18', 18),
	('FI', 'FI', 'KK', 18),
	('FI', 'FI', 'K7', 7),
	('FI', 'FI', 'K12', 12),
	('FI', 'FI', 'K16', 16),
	('FI', 'FI', 'K18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('FR', 'CNC', 'TP', 0),
	('FR', 'CNC', '12', 12),
	('FR', 'CNC', '16', 16),
	('FR', 'CNC', '18', 18),
	('FR', 'CNC', '10', 10),
	('FR', 'CNC', 'U', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('GB', 'BBFC', 'U', 0),
	('GB', 'BBFC', 'PG', 8),
	('GB', 'BBFC', '12A', 12),
	('GB', 'BBFC', '12', 12),
	('GB', 'BBFC', '15', 15),
	('GB', 'BBFC', '18', 18),
	('GB', 'BBFC', 'R18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('GR', 'GR', 'K', 0),
	('GR', 'GR', 'K12', 12),
	('GR', 'GR', 'K15', 15),
	('GR', 'GR', 'K18', 18),
	('GR', 'GR', '8', 8),
	('GR', 'GR', '12', 12),
	('GR', 'GR', '16', 16),
	('GR', 'GR', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('HK', 'HK', 'I', 0),
	('HK', 'HK', 'IIA', 12),
	('HK', 'HK', 'IIB', 15),
	('HK', 'HK', 'III', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('HU', 'HU', 'KN', 0),
	('HU', 'HU', '6', 6),
	('HU', 'HU', '12', 12),
	('HU', 'HU', '16', 16),
	('HU', 'HU', '18', 18),
	('HU', 'HU', 'X', 18),
	('HU', 'HU', 'Unrated', 0),
	('HU', 'HU', 'Children', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('ID', 'ID', 'SU', 0),
	('ID', 'ID', '13+', 13),
	('ID', 'ID', '17+', 17),
	('ID', 'ID', '21+', 21),
	('ID', 'ID', 'P', 0),
	('ID', 'ID', 'A', 7),
	('ID', 'ID', 'R', 13),
	('ID', 'ID', 'D', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IE', 'IE', 'G', 0),
	('IE', 'IE', 'PG', 8),
	('IE', 'IE', '12A', 12),
	('IE', 'IE', '12', 12),
	('IE', 'IE', '15A', 15),
	('IE', 'IE', '15', 15),
	('IE', 'IE', '16', 16),
	('IE', 'IE', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IL', 'IL', 'All', 0),
	('IL', 'IL', '12', 12),
	('IL', 'IL', '14', 14),
	('IL', 'IL', '16', 16),
	('IL', 'IL', '18', 18),
	('IL', 'IL', 'E', 0),
	('IL', 'IL', 'G', 0),
	('IL', 'IL', '12+', 12),
	('IL', 'IL', '15+', 15),
	('IL', 'IL', '18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IN', 'IN', 'U', 0),
	('IN', 'IN', 'U/A 7+', 7),
	('IN', 'IN', 'UA', 12),
	('IN', 'IN', 'U/A 13+', 13),
	('IN', 'IN', 'U/A 16+', 16),
	('IN', 'IN', 'A', 18),
	('IN', 'IN', 'S', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IT', 'IT', 'T', 0),
	('IT', 'IT', '6+', 6),
	('IT', 'IT', '14+', 14),
	('IT', 'IT', '18+', 18),
	('IT', 'IT', 'BA', 8),
	('IT', 'IT', 'VM12', 12),
	('IT', 'IT', 'VM14', 14),
	('IT', 'IT', 'VM18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('JP', 'Eirin', 'G', 0),
	('JP', 'Eirin', 'PG12', 12),
	('JP', 'Eirin', 'R15+', 15),
	('JP', 'Eirin', 'R18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('KR', 'KMRB', 'All', 0),
	('KR', 'KMRB', '12', 12),
	('KR', 'KMRB', '15', 15),
	('KR', 'KMRB', '18', 18),
	('KR', 'KMRB', 'Restricted Screening', 18),
	('KR', 'KMRB', 'Exempt', 0),
	('KR', 'KMRB', 'ALL', 0),
	('KR', 'KMRB', '7', 7),
	('KR', 'KMRB', '19', 19);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('LT', 'LT', 'V', 0),
	('LT', 'LT', 'N-7', 7),
	('LT', 'LT', 'N-13', 13),
	('LT', 'LT', 'N-16', 16),
	('LT', 'LT', 'N-18', 18),
	('LT', 'LT', 'N-14', 14),
	('LT', 'LT', 'S', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('LU', 'LU', 'EA', 0),
	('LU', 'LU', '6', 6),
	('LU', 'LU', '12', 12),
	('LU', 'LU', '16', 16),
	('LU', 'LU', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('LV', 'LV', 'U', 0),
	('LV', 'LV', '7+', 7),
	('LV', 'LV', '12+', 12),
	('LV', 'LV', '16+', 16),
	('LV', 'LV', '18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MA', 'MA', '10', 10),
	('MA', 'MA', '12', 12),
	('MA', 'MA', '16', 16);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MO', 'MO', 'A', 0),
	('MO', 'MO', 'B', 13),
	('MO', 'MO', 'C', 16),
	('MO', 'MO', 'D', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MX', 'MX', 'AA', 0),
	('MX', 'MX', 'A', 0),
	('MX', 'MX', 'B', 12),
	('MX', 'MX', 'B-15', 15),
	('MX', 'MX', 'C', 18),
	('MX', 'MX', 'D', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MY', 'MY', 'U', 0),
	('MY', 'MY', 'P13', 13),
	('MY', 'MY', '18SG', 18),
	('MY', 'MY', '18SX', 18),
	('MY', 'MY', '18PA', 18),
	('MY', 'MY', '18PL', 18),
	('MY', 'MY', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('NL', 'NL', 'AL', 0),
	('NL', 'NL', '6', 6),
	('NL', 'NL', '9', 9),
	('NL', 'NL', '12', 12),
	('NL', 'NL', '14', 14),
	('NL', 'NL', '16', 16),
	('NL', 'NL', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('NO', 'NO', 'A', 0),
	('NO', 'NO', '6', 6),
	('NO', 'NO', '9', 9),
	('NO', 'NO', '12', 12),
	('NO', 'NO', '15', 15),
	('NO', 'NO', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('NZ', 'NZ', 'G', 0),
	('NZ', 'NZ', 'PG', 8),
	('NZ', 'NZ', 'M', 16),
	('NZ', 'NZ', 'R13', 13),
	('NZ', 'NZ', 'RP13', 13),
	('NZ', 'NZ', 'R15', 15),
	('NZ', 'NZ', 'R16', 16),
	('NZ', 'NZ', 'RP16', 16),
	('NZ', 'NZ', 'R18', 18),
	('NZ', 'NZ', 'RP18', 18),
	('NZ', 'NZ', 'R', 18),
	('NZ', 'NZ', '16', 16),
	('NZ', 'NZ', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PH', 'PH', 'G', 0),
	('PH', 'PH', 'PG', 8),
	('PH', 'PH', 'R-13', 13),
	('PH', 'PH', 'R-16', 16),
	('PH', 'PH', 'R-18', 18),
	('PH', 'PH', 'X', 18),
	('PH', 'PH', 'SPG', 13);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PL', 'PL', '0', 0),
	('PL', 'PL', '7', 7),
	('PL', 'PL', '12', 12),
	('PL', 'PL', '16', 16),
	('PL', 'PL', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PR', 'PR', 'G', 0),
	('PR', 'PR', 'PG', 8),
	('PR', 'PR', 'PG-13', 13),
	('PR', 'PR', 'R', 17),
	('PR', 'PR', 'NC-17', 18),
	('PR', 'PR', 'TV-Y', 0),
	('PR', 'PR', 'TV-Y7', 7),
	('PR', 'PR', 'TV-G', 0),
	('PR', 'PR', 'TV-PG', 10),
	('PR', 'PR', 'TV-14', 14),
	('PR', 'PR', 'TV-MA', 17);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PT', 'PT', 'Públicos', 0),
	('PT', 'PT', 'M/3', 3),
	('PT', 'PT', 'M/6', 6),
	('PT', 'PT', 'M/12', 12),
	('PT', 'PT', 'M/14', 14),
	('PT', 'PT', 'M/16', 16),
	('PT', 'PT', 'M/18', 18),
	('PT', 'PT', 'P', 18),
	('PT', 'PT', 'T', 0),
	('PT', 'PT', '10AP', 10),
	('PT', 'PT', '12AP', 12),
	('PT', 'PT', '16', 16),
	('PT', 'PT', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('RU', 'RU', '0+', 0),
	('RU', 'RU', '6+', 6),
	('RU', 'RU', '12+', 12),
	('RU', 'RU', '16+', 16),
	('RU', 'RU', '18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('SE', 'SE', 'Btl', 0),
	('SE', 'SE', '7', 7),
	('SE', 'SE', '11', 11),
	('SE', 'SE', '15', 15),
	('SE', 'SE', 'Från 7 år', 7),
	('SE', 'SE', 'Från 11 år', 11),
	('SE', 'SE', 'Från 15 år', 15);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('SG', 'SG', 'G', 0),
	('SG', 'SG', 'PG', 8),
	('SG', 'SG', 'PG13', 13),
	('SG', 'SG', 'NC16', 16),
	('SG', 'SG', 'M18', 18),
	('SG', 'SG', 'R21', 21);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('SK', 'SK', 'U', 0),
	('SK', 'SK', '7', 7),
	('SK', 'SK', '12', 12),
	('SK', 'SK', '15', 15),
	('SK', 'SK', '18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('TH', 'TH', 'P', 0),
	('TH', 'TH', 'G', 0),
	('TH', 'TH', '13', 13),
	('TH', 'TH', '15', 15),
	('TH', 'TH', '18', 18),
	('TH', 'TH', '20', 20),
	('TH', 'TH', 'Banned', 20),
	('TH', 'TH', 'ส', 0),
	('TH', 'TH', 'ท', 0),
	('TH', 'TH', 'น 13+', 13),
	('TH', 'TH', 'น 15+', 15),
	('TH', 'TH', 'น 18+', 18),
	('TH', 'TH', 'ฉ 20-', 20),
	('TH', 'TH', '-', 20);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('TR', 'TR', 'Genel İzleyici Kitlesi', 0),
	('TR', 'TR', '6A', 6),
	('TR', 'TR', '6+', 6),
	('TR', 'TR', '10A', 10),
	('TR', 'TR', '10+', 10),
	('TR', 'TR', '13A', 13),
	('TR', 'TR', '13+', 13),
	('TR', 'TR', '16+', 16),
	('TR', 'TR', '18+', 18),
	('TR', 'TR', 'Genel İzleyici', 0),
	('TR', 'TR', '7+', 7);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('TW', 'TW', '0+', 0),
	('TW', 'TW', '6+', 6),
	('TW', 'TW', '12+', 12),
	('TW', 'TW', '15+', 15),
	('TW', 'TW', '18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('US', 'MPAA', 'G', 0),
	('US', 'MPAA', 'PG', 8),
	('US', 'MPAA', 'PG-13', 13),
	('US', 'MPAA', 'R', 17),
	('US', 'MPAA', 'NC-17', 18),
	('US', 'US TV', 'TV-Y', 0),
	('US', 'US TV', 'TV-Y7', 7),
	('US', 'US TV', 'TV-G', 0),
	('US', 'US TV', 'TV-PG', 10),
	('US', 'US TV', 'TV-14', 14),
	('US', 'US TV', 'TV-MA', 17);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('VI', 'VI', 'G', 0),
	('VI', 'VI', 'PG', 8),
	('VI', 'VI', 'PG-13', 13),
	('VI', 'VI', 'R', 17),
	('VI', 'VI', 'NC-17', 18),
	('VI', 'VI', 'TV-Y', 0),
	('VI', 'VI', 'TV-Y7', 7),
	('VI', 'VI', 'TV-G', 0),
	('VI', 'VI', 'TV-PG', 10),
	('VI', 'VI', 'TV-14', 14),
	('VI', 'VI', 'TV-MA', 17);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('ZA', 'ZA', 'A', 0),
	('ZA', 'ZA', 'PG', 6),
	('ZA', 'ZA', '7-9PG', 7),
	('ZA', 'ZA', '10-12PG', 10),
	('ZA', 'ZA', '13', 13),
	('ZA', 'ZA', '16', 16),
	('ZA', 'ZA', '18', 18),
	('ZA', 'ZA', 'X18', 18),
	('ZA', 'ZA', 'XX', 18),
	('ZA', 'ZA', 'All', 0);
