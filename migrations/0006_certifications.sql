-- 0006: minimum ages of the certifications TMDb reports (SPEC §4.4).
--
-- Generated once from TMDb's certification lists (tests/fixtures/tmdb/
-- certification-{movie,tv}-list.json) and reviewed. The rule: a number in
-- the certification is the age ("16", "MA 15+", "PG12", "VM14"); the
-- general-audience marks (G, U, L, T, AL, TP, All, ...) are 0; the named
-- ratings of the US (MPAA and TV Parental Guidelines), GB, AU, CA, ES, IT,
-- KR, BR and NL are set by hand: US PG and GB/AU/CA PG ("parental
-- guidance") count as 8, US R as 17 (under 17 only with a parent), NC-17 and
-- restricted marks as 18. "NR" and "Exempt" are not ratings and are absent:
-- a title carrying only them counts as unrated. TMDb's Quebec list (CA-QC)
-- is left out: release dates are keyed by ISO 3166-1 countries.
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('AR', 'AR', '+13', 13),
	('AR', 'AR', '+16', 16),
	('AR', 'AR', '+18', 18),
	('AR', 'AR', 'ATP', 0),
	('AR', 'AR', 'SAM 13', 13),
	('AR', 'AR', 'SAM 16', 16),
	('AR', 'AR', 'SAM 18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('AU', 'ACB', 'AV 15+', 15),
	('AU', 'ACB', 'C', 0),
	('AU', 'ACB', 'E', 0),
	('AU', 'ACB', 'G', 0),
	('AU', 'ACB', 'M', 15),
	('AU', 'ACB', 'MA 15+', 15),
	('AU', 'ACB', 'P', 0),
	('AU', 'ACB', 'PG', 8),
	('AU', 'ACB', 'R 18+', 18),
	('AU', 'ACB', 'RC', 18),
	('AU', 'ACB', 'X 18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('BG', 'BG', '12', 12),
	('BG', 'BG', '14', 14),
	('BG', 'BG', '16', 16),
	('BG', 'BG', '18', 18),
	('BG', 'BG', 'A', 0),
	('BG', 'BG', 'Unrated', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('BR', 'DJCTQ', '10', 10),
	('BR', 'DJCTQ', '12', 12),
	('BR', 'DJCTQ', '14', 14),
	('BR', 'DJCTQ', '16', 16),
	('BR', 'DJCTQ', '18', 18),
	('BR', 'DJCTQ', 'L', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('CA', 'CA', '14+', 14),
	('CA', 'CA', '14A', 14),
	('CA', 'CA', '18+', 18),
	('CA', 'CA', '18A', 18),
	('CA', 'CA', 'A', 18),
	('CA', 'CA', 'C', 0),
	('CA', 'CA', 'C8', 8),
	('CA', 'CA', 'E', 0),
	('CA', 'CA', 'G', 0),
	('CA', 'CA', 'PG', 8),
	('CA', 'CA', 'R', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('CH', 'CH', '0', 0),
	('CH', 'CH', '10', 10),
	('CH', 'CH', '12', 12),
	('CH', 'CH', '14', 14),
	('CH', 'CH', '16', 16),
	('CH', 'CH', '18', 18),
	('CH', 'CH', '6', 6),
	('CH', 'CH', '8', 8);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('CZ', 'CZ', '12+', 12),
	('CZ', 'CZ', '15+', 15),
	('CZ', 'CZ', '18+', 18),
	('CZ', 'CZ', 'U', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('DE', 'FSK', '0', 0),
	('DE', 'FSK', '12', 12),
	('DE', 'FSK', '16', 16),
	('DE', 'FSK', '18', 18),
	('DE', 'FSK', '6', 6);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('DK', 'DK', '11', 11),
	('DK', 'DK', '15', 15),
	('DK', 'DK', '7', 7),
	('DK', 'DK', 'A', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('ES', 'ES', '10', 10),
	('ES', 'ES', '12', 12),
	('ES', 'ES', '13', 13),
	('ES', 'ES', '16', 16),
	('ES', 'ES', '18', 18),
	('ES', 'ES', '7', 7),
	('ES', 'ES', '7i', 7),
	('ES', 'ES', 'A', 0),
	('ES', 'ES', 'Ai', 0),
	('ES', 'ES', 'ERI', 0),
	('ES', 'ES', 'TP', 0),
	('ES', 'ES', 'X', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('FI', 'FI', 'K-12', 12),
	('FI', 'FI', 'K-16', 16),
	('FI', 'FI', 'K-18', 18),
	('FI', 'FI', 'K-7', 7),
	('FI', 'FI', 'K12', 12),
	('FI', 'FI', 'K16', 16),
	('FI', 'FI', 'K18', 18),
	('FI', 'FI', 'K7', 7),
	('FI', 'FI', 'S', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('FR', 'CNC', '10', 10),
	('FR', 'CNC', '12', 12),
	('FR', 'CNC', '16', 16),
	('FR', 'CNC', '18', 18),
	('FR', 'CNC', 'TP', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('GB', 'BBFC', '12', 12),
	('GB', 'BBFC', '12A', 12),
	('GB', 'BBFC', '15', 15),
	('GB', 'BBFC', '18', 18),
	('GB', 'BBFC', 'PG', 8),
	('GB', 'BBFC', 'R18', 18),
	('GB', 'BBFC', 'U', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('GR', 'GR', '12', 12),
	('GR', 'GR', '16', 16),
	('GR', 'GR', '18', 18),
	('GR', 'GR', '8', 8),
	('GR', 'GR', 'K', 0),
	('GR', 'GR', 'K12', 12),
	('GR', 'GR', 'K15', 15),
	('GR', 'GR', 'K18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('HK', 'HK', 'I', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('HU', 'HU', '12', 12),
	('HU', 'HU', '16', 16),
	('HU', 'HU', '18', 18),
	('HU', 'HU', '6', 6),
	('HU', 'HU', 'KN', 0),
	('HU', 'HU', 'Unrated', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('ID', 'ID', '13+', 13),
	('ID', 'ID', '17+', 17),
	('ID', 'ID', '21+', 21),
	('ID', 'ID', 'A', 0),
	('ID', 'ID', 'SU', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IE', 'IE', '12', 12),
	('IE', 'IE', '12A', 12),
	('IE', 'IE', '15', 15),
	('IE', 'IE', '15A', 15),
	('IE', 'IE', '16', 16),
	('IE', 'IE', '18', 18),
	('IE', 'IE', 'G', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IL', 'IL', '12', 12),
	('IL', 'IL', '12+', 12),
	('IL', 'IL', '14', 14),
	('IL', 'IL', '15+', 15),
	('IL', 'IL', '16', 16),
	('IL', 'IL', '18', 18),
	('IL', 'IL', '18+', 18),
	('IL', 'IL', 'All', 0),
	('IL', 'IL', 'G', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IN', 'IN', 'A', 0),
	('IN', 'IN', 'U', 0),
	('IN', 'IN', 'U/A 13+', 13),
	('IN', 'IN', 'U/A 16+', 16),
	('IN', 'IN', 'U/A 7+', 7);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('IT', 'IT', '14+', 14),
	('IT', 'IT', '18+', 18),
	('IT', 'IT', '6+', 6),
	('IT', 'IT', 'BA', 0),
	('IT', 'IT', 'T', 0),
	('IT', 'IT', 'VM12', 12),
	('IT', 'IT', 'VM14', 14),
	('IT', 'IT', 'VM18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('JP', 'Eirin', 'G', 0),
	('JP', 'Eirin', 'PG12', 12),
	('JP', 'Eirin', 'R15+', 15),
	('JP', 'Eirin', 'R18+', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('KR', 'KMRB', '12', 12),
	('KR', 'KMRB', '15', 15),
	('KR', 'KMRB', '18', 18),
	('KR', 'KMRB', '19', 19),
	('KR', 'KMRB', '7', 7),
	('KR', 'KMRB', 'ALL', 0),
	('KR', 'KMRB', 'All', 0),
	('KR', 'KMRB', 'Restricted Screening', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('LT', 'LT', 'N-13', 13),
	('LT', 'LT', 'N-14', 14),
	('LT', 'LT', 'N-16', 16),
	('LT', 'LT', 'N-18', 18),
	('LT', 'LT', 'N-7', 7),
	('LT', 'LT', 'V', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('LU', 'LU', '12', 12),
	('LU', 'LU', '16', 16),
	('LU', 'LU', '18', 18),
	('LU', 'LU', '6', 6),
	('LU', 'LU', 'EA', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('LV', 'LV', '12+', 12),
	('LV', 'LV', '16+', 16),
	('LV', 'LV', '18+', 18),
	('LV', 'LV', '7+', 7),
	('LV', 'LV', 'U', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MA', 'MA', '10', 10),
	('MA', 'MA', '12', 12),
	('MA', 'MA', '16', 16);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MO', 'MO', 'A', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MX', 'MX', 'A', 0),
	('MX', 'MX', 'AA', 0),
	('MX', 'MX', 'B-15', 15);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('MY', 'MY', '18', 18),
	('MY', 'MY', '18PA', 18),
	('MY', 'MY', '18PL', 18),
	('MY', 'MY', '18SG', 18),
	('MY', 'MY', '18SX', 18),
	('MY', 'MY', 'P13', 13),
	('MY', 'MY', 'U', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('NL', 'NL', '12', 12),
	('NL', 'NL', '14', 14),
	('NL', 'NL', '16', 16),
	('NL', 'NL', '18', 18),
	('NL', 'NL', '6', 6),
	('NL', 'NL', '9', 9),
	('NL', 'NL', 'AL', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('NO', 'NO', '12', 12),
	('NO', 'NO', '15', 15),
	('NO', 'NO', '18', 18),
	('NO', 'NO', '6', 6),
	('NO', 'NO', '9', 9),
	('NO', 'NO', 'A', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('NZ', 'NZ', '16', 16),
	('NZ', 'NZ', '18', 18),
	('NZ', 'NZ', 'G', 0),
	('NZ', 'NZ', 'R13', 13),
	('NZ', 'NZ', 'R15', 15),
	('NZ', 'NZ', 'R16', 16),
	('NZ', 'NZ', 'R18', 18),
	('NZ', 'NZ', 'RP13', 13),
	('NZ', 'NZ', 'RP16', 16),
	('NZ', 'NZ', 'RP18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PH', 'PH', 'G', 0),
	('PH', 'PH', 'R-13', 13),
	('PH', 'PH', 'R-16', 16),
	('PH', 'PH', 'R-18', 18);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PL', 'PL', '0', 0),
	('PL', 'PL', '12', 12),
	('PL', 'PL', '16', 16),
	('PL', 'PL', '18', 18),
	('PL', 'PL', '7', 7);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PR', 'PR', 'G', 0),
	('PR', 'PR', 'NC-17', 17),
	('PR', 'PR', 'PG-13', 13),
	('PR', 'PR', 'TV-14', 14),
	('PR', 'PR', 'TV-Y', 0),
	('PR', 'PR', 'TV-Y7', 7);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('PT', 'PT', '10AP', 10),
	('PT', 'PT', '12AP', 12),
	('PT', 'PT', '16', 16),
	('PT', 'PT', '18', 18),
	('PT', 'PT', 'M/12', 12),
	('PT', 'PT', 'M/14', 14),
	('PT', 'PT', 'M/16', 16),
	('PT', 'PT', 'M/18', 18),
	('PT', 'PT', 'M/3', 3),
	('PT', 'PT', 'M/6', 6),
	('PT', 'PT', 'Públicos', 0),
	('PT', 'PT', 'T', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('RU', 'RU', '0+', 0),
	('RU', 'RU', '12+', 12),
	('RU', 'RU', '16+', 16),
	('RU', 'RU', '18+', 18),
	('RU', 'RU', '6+', 6);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('SE', 'SE', '11', 11),
	('SE', 'SE', '15', 15),
	('SE', 'SE', '7', 7),
	('SE', 'SE', 'Btl', 0),
	('SE', 'SE', 'Från 11 år', 11),
	('SE', 'SE', 'Från 15 år', 15),
	('SE', 'SE', 'Från 7 år', 7);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('SG', 'SG', 'G', 0),
	('SG', 'SG', 'M18', 18),
	('SG', 'SG', 'NC16', 16),
	('SG', 'SG', 'PG13', 13),
	('SG', 'SG', 'R21', 21);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('SK', 'SK', '12', 12),
	('SK', 'SK', '15', 15),
	('SK', 'SK', '18', 18),
	('SK', 'SK', '7', 7),
	('SK', 'SK', 'U', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('TH', 'TH', '13', 13),
	('TH', 'TH', '15', 15),
	('TH', 'TH', '18', 18),
	('TH', 'TH', '20', 20),
	('TH', 'TH', 'G', 0),
	('TH', 'TH', 'P', 0),
	('TH', 'TH', 'ฉ 20-', 20),
	('TH', 'TH', 'น 13+', 13),
	('TH', 'TH', 'น 15+', 15),
	('TH', 'TH', 'น 18+', 18),
	('TH', 'TH', 'ส', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('TR', 'TR', '10+', 10),
	('TR', 'TR', '10A', 10),
	('TR', 'TR', '13+', 13),
	('TR', 'TR', '13A', 13),
	('TR', 'TR', '16+', 16),
	('TR', 'TR', '18+', 18),
	('TR', 'TR', '6+', 6),
	('TR', 'TR', '6A', 6),
	('TR', 'TR', '7+', 7),
	('TR', 'TR', 'Genel İzleyici', 0),
	('TR', 'TR', 'Genel İzleyici Kitlesi', 0);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('TW', 'TW', '0+', 0),
	('TW', 'TW', '12+', 12),
	('TW', 'TW', '15+', 15),
	('TW', 'TW', '18+', 18),
	('TW', 'TW', '6+', 6);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('US', 'MPAA', 'G', 0),
	('US', 'MPAA', 'NC-17', 18),
	('US', 'MPAA', 'PG', 8),
	('US', 'MPAA', 'PG-13', 13),
	('US', 'MPAA', 'R', 17),
	('US', 'US TV', 'TV-14', 14),
	('US', 'US TV', 'TV-G', 0),
	('US', 'US TV', 'TV-MA', 17),
	('US', 'US TV', 'TV-PG', 10),
	('US', 'US TV', 'TV-Y', 0),
	('US', 'US TV', 'TV-Y7', 7);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('VI', 'VI', 'G', 0),
	('VI', 'VI', 'NC-17', 17),
	('VI', 'VI', 'PG-13', 13),
	('VI', 'VI', 'TV-14', 14),
	('VI', 'VI', 'TV-Y', 0),
	('VI', 'VI', 'TV-Y7', 7);
INSERT INTO certifications (country, system, certification, min_age) VALUES
	('ZA', 'ZA', '10-12PG', 10),
	('ZA', 'ZA', '13', 13),
	('ZA', 'ZA', '16', 16),
	('ZA', 'ZA', '18', 18),
	('ZA', 'ZA', '7-9PG', 7),
	('ZA', 'ZA', 'A', 0),
	('ZA', 'ZA', 'All', 0),
	('ZA', 'ZA', 'X18', 18);
