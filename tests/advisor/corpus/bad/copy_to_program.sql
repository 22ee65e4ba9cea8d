-- expect: privileged-statement critical
-- COPY … TO PROGRAM runs a shell command on the database server, as its operating system user.
COPY (SELECT 1) TO PROGRAM 'cat > /dev/null';
