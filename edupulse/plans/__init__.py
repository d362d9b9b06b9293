"""Work plans (工作要点): sections, tasks, responsible units, deadlines and targets of plan documents."""
