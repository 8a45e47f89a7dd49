"""The domain of the procedure: cases (trámites), their files, offices, assessment, resolution, complaints."""
