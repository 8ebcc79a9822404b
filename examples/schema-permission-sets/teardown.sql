DROP DATABASE lausanne;
DROP DATABASE zurich;
DROP ROLE migrator;
