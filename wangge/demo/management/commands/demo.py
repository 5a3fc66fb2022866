"""`wangge demo`: migrate, load the Laocheng demo into an empty database, serve it."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from wangge.demo.services import DEMO_PASSWORD, DEMO_USERNAME, demo_is_loaded, demo_load


class Command(BaseCommand):
    help = "Set up the database, load the synthetic Laocheng Street demo and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load only, do not serve")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, no_serve: bool, port: int, host: str, **options):
        self.stdout.write("迁移数据库 (migrating the database)…")
        call_command("migrate", interactive=False, verbosity=0)
        if demo_is_loaded():
            self.stdout.write("数据库已有数据,跳过演示数据 (database not empty: demo not reloaded)")
        else:
            timings = demo_load(progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                f"演示数据已载入,用时 {timings['total']:.1f} 秒 (demo loaded)"))
        if no_serve:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        base = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(
            f"\n  居民服务 Residents:  {base}/\n"
            f"  指挥平台 Console:   {base}/console/   驾驶舱 Dashboard: {base}/console/dashboard\n"
            f"  网格员工作台 Workbench (phone): {base}/m/\n"
            f"  地图 Map:          {base}/map\n"
            f"  登录 Log in:       {base}/accounts/login/   密码 password: {DEMO_PASSWORD}\n"
            f"    系统管理员 superuser:          {DEMO_USERNAME}\n"
            f"    街道管理员 street admin:       street-admin\n"
            f"    红花岗社区干部 community:      community-520302001001\n"
            f"    网格长 grid leader:            leader-520302001001001001\n"
            f"    网格员 grid worker:            worker-520302001001001001\n"
            f"  一格一档 Grid files: {base}/registry/grids/\n"
            f"  公示牌 Public boards: {base}/board/\n"
            f"  接口文档 API:        {base}/api/docs/\n"
        ))
        call_command("runserver", f"{host}:{port}", use_reloader=False)
